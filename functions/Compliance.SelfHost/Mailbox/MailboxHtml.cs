using Compliance.Mail;

namespace Compliance.SelfHost.Mailbox;

/// <summary>
/// The local mailbox's sanitiser: <see cref="EmailHtml"/>'s rule, with links only to this service (<see cref="MailboxLinks"/>).
/// </summary>
public sealed class MailboxHtml(MailboxLinks links)
{
    private readonly EmailHtml html = new(links.IsAllowed);

    /// <summary>The body of <paramref name="html"/> (a whole document or a fragment), safe to place inside the page.</summary>
    public string Sanitize(string html) => this.html.Sanitize(html);
}
