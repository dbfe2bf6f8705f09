using System.Globalization;
using Compliance.Mail.Intake;
using Compliance.Requests;

namespace Compliance.Mail;

/// <summary>
/// A request's correspondence for staff, oldest first: every email the service wrote for it in the outbox, with its state
/// and its body made safe to show (<see cref="EmailHtml"/>, no link kept: the console is no place to follow one from), and
/// every inbound message that made the request or replied to it (<see cref="RequestStore.LinkMessageAsync"/>), as read by
/// the intake (its text, without the quoted thread's markup).
/// </summary>
public sealed class RequestCorrespondence(Outbox outbox, RequestStore requests, InboundMailStore inbound, InboundMessageReader reader)
{

    private static readonly EmailHtml Html = new(_ => false);

    public async Task<IReadOnlyList<EmailView>> ForRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var prefix = $"requests/{requestId}/";
        var names = await outbox.ListAsync(prefix, cancellationToken);
        var messages = await Task.WhenAll(names.Select(n => outbox.LoadAsync(n, cancellationToken)));
        var outgoing = messages.OfType<OutboxMessage>().Select(m => ViewOf(m, m.BlobName[prefix.Length..^".eml".Length]));
        var incoming = await Task.WhenAll((await requests.ListMessagesAsync(requestId, cancellationToken)).Select(key => InboundViewAsync(key, cancellationToken)));
        return outgoing.Concat(incoming.OfType<EmailView>())
            .OrderBy(e => e.WrittenAt)
            .ThenBy(e => e.MessageKey, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<EmailView?> InboundViewAsync(string intakeKey, CancellationToken cancellationToken)
    {
        if (await inbound.FindAsync(intakeKey, cancellationToken) is null)
        {
            return null; // deleted with the study's mail at retention
        }

        var (stored, read) = await inbound.LoadAsync(reader, intakeKey, cancellationToken);
        var message = read.Message;
        var from = message is null ? string.Empty : message.FromName is { Length: > 0 } name ? $"\"{name}\" <{message.FromAddress}>" : message.FromAddress;
        return new EmailView(
            intakeKey, "in", null, message?.Subject ?? "(could not be read)", from, message?.Header("to") ?? string.Empty, message?.Date, stored.ReceivedAt,
            message?.MessageId, EmailStates.Received, 0, null, null, null, null, message?.Text, null);
    }

    private static EmailView ViewOf(OutboxMessage stored, string messageKey)
    {
        var message = stored.Message;
        var metadata = stored.Metadata;
        return new EmailView(
            messageKey,
            "out",
            metadata.GetValueOrDefault(OutboxMetadata.Kind),
            message.Subject ?? string.Empty,
            message.From.ToString(),
            message.To.ToString(),
            message.Date == DateTimeOffset.MinValue ? null : message.Date,
            stored.WrittenAt,
            message.MessageId,
            metadata.GetValueOrDefault(OutboxMetadata.State, OutboxMetadata.Pending),
            int.TryParse(metadata.GetValueOrDefault(OutboxMetadata.Attempts), NumberStyles.None, CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            OutboxMetadata.ReadTime(metadata, OutboxMetadata.SentAt),
            OutboxMetadata.ReadTime(metadata, OutboxMetadata.FailedAt),
            OutboxMetadata.ReadTime(metadata, OutboxMetadata.NextAttemptAt),
            metadata.GetValueOrDefault(OutboxMetadata.LastError),
            message.TextBody,
            message.HtmlBody is { } html ? Html.Sanitize(html) : null);
    }
}
