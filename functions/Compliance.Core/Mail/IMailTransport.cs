using MimeKit;

namespace Compliance.Mail;

/// <summary>
/// Hands one finished message (threading headers included) to a mail system: Microsoft Graph <c>sendMail</c> from the
/// research mailbox, SMTP, or none. The outbox sender calls it at most once per successful send and records the send.
/// </summary>
public interface IMailTransport
{
    /// <summary>The transport's name as configured (<c>Mail:Transport</c>) and as recorded on a sent message.</summary>
    string Name { get; }

    /// <summary>Sends <paramref name="message"/>; throws when the mail system did not accept it.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
