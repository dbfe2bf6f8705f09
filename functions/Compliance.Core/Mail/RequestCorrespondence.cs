using System.Globalization;

namespace Compliance.Mail;

/// <summary>
/// A request's correspondence for staff: every email the service wrote for it in the outbox, oldest first, with its state
/// and its body made safe to show (<see cref="EmailHtml"/>, no link kept: the console is no place to follow one from).
/// </summary>
public sealed class RequestCorrespondence(Outbox outbox)
{
    private static readonly EmailHtml Html = new(_ => false);

    public async Task<IReadOnlyList<EmailView>> ForRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var prefix = $"requests/{requestId}/";
        var names = await outbox.ListAsync(prefix, cancellationToken);
        var messages = await Task.WhenAll(names.Select(n => outbox.LoadAsync(n, cancellationToken)));
        return messages
            .OfType<OutboxMessage>()
            .OrderBy(m => m.WrittenAt)
            .ThenBy(m => m.BlobName, StringComparer.Ordinal)
            .Select(m => ViewOf(m, m.BlobName[prefix.Length..^".eml".Length]))
            .ToList();
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
