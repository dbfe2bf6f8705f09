using Ganss.Xss;

namespace Compliance.SelfHost.Mailbox;

/// <summary>
/// Sanitises an email's HTML part before the mailbox shows it inside its own page (HtmlSanitizer): no script, no event
/// handler, no form, no inline style (the page's CSP allows none), no image (nothing remote loads under that CSP either),
/// no class or id to collide with the page's own; links only to this service (<see cref="MailboxLinks"/>), others keep
/// their text and lose their address.
/// </summary>
public sealed class MailboxHtml
{
    private static readonly string[] Removed =
    [
        "form", "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "label", "img", "area", "map",
    ];

    private readonly HtmlSanitizer sanitizer = new();

    public MailboxHtml(MailboxLinks links)
    {
        ArgumentNullException.ThrowIfNull(links);
        foreach (var tag in Removed)
        {
            sanitizer.AllowedTags.Remove(tag);
        }

        foreach (var attribute in new[] { "style", "class", "id", "name", "target", "tabindex", "accesskey" })
        {
            sanitizer.AllowedAttributes.Remove(attribute);
        }

        sanitizer.FilterUrl += (_, e) =>
        {
            if (!links.IsAllowed(e.SanitizedUrl))
            {
                e.SanitizedUrl = null;
            }
        };
    }

    /// <summary>The body of <paramref name="html"/> (a whole document or a fragment), safe to place inside the page.</summary>
    public string Sanitize(string html) => sanitizer.Sanitize(html);
}
