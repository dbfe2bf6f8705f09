using Ganss.Xss;

namespace Compliance.Mail;

/// <summary>
/// Sanitises an email's HTML part before a page of ours shows it inside its own (HtmlSanitizer): no script, no event
/// handler, no form, no inline style, no image (nothing remote loads), no class or id to collide with the page's own; a link
/// keeps its address only when <c>allowLink</c> says so, others keep their text and lose it. One rule for every page that
/// shows an email: the local mailbox and the staff console's correspondence.
/// </summary>
public sealed class EmailHtml
{
    private static readonly string[] Removed =
    [
        "form", "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "label", "img", "area", "map",
    ];

    private readonly HtmlSanitizer sanitizer = new();

    public EmailHtml(Func<string?, bool> allowLink)
    {
        ArgumentNullException.ThrowIfNull(allowLink);
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
            if (!allowLink(e.SanitizedUrl))
            {
                e.SanitizedUrl = null;
            }
        };
    }

    /// <summary>The body of <paramref name="html"/> (a whole document or a fragment), safe to place inside a page.</summary>
    public string Sanitize(string html) => sanitizer.Sanitize(html);
}
