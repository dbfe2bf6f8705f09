using Compliance.Mail.Intake;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail.Graph;

/// <summary>What became of one message the connector was told about.</summary>
public enum GraphIntakeOutcome
{
    /// <summary>Fetched and handed to the intake gateway (which may have had it already).</summary>
    Accepted,

    /// <summary>Its Message-ID is stored and its intake started: not fetched again.</summary>
    AlreadyStored,

    /// <summary>Graph no longer has it (deleted or moved since): nothing to fetch.</summary>
    Gone,

    /// <summary>Larger than <c>Intake:MaxAcceptedBytes</c>: left in the mailbox for staff.</summary>
    TooLarge,
}

/// <summary>
/// Brings one message of the research mailbox into intake, for the webhook and the delta catch-up alike: fetch its MIME from
/// Graph and hand it to <see cref="MailIntakeGateway"/> with Graph's <c>receivedDateTime</c>, under the source name
/// <c>graph</c>. A message whose Message-ID is already stored and started is not downloaded again.
/// </summary>
public sealed class GraphInboxIntake(GraphMailbox mailbox, MailIntakeGateway gateway, InboundMailStore store, IOptions<IntakeOptions> intake, ILogger<GraphInboxIntake> logger)
{
    /// <summary>The source name recorded for mail the Graph connector brings.</summary>
    public const string Source = "graph";

    /// <summary>
    /// Takes in the message with Graph id <paramref name="messageId"/>. <paramref name="item"/> is what a delta page said of
    /// it, if anything; otherwise its received time and Message-ID are read first. Throws when Graph fails.
    /// </summary>
    public async Task<GraphIntakeOutcome> TakeInAsync(string messageId, GraphInboxItem? item, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        item ??= await mailbox.GetItemAsync(messageId, cancellationToken);
        if (item is null)
        {
            return GraphIntakeOutcome.Gone;
        }

        if (!string.IsNullOrWhiteSpace(item.InternetMessageId)
            && await store.FindAsync(MessageIds.IntakeKeyFor(item.InternetMessageId), cancellationToken) is { Started: true })
        {
            return GraphIntakeOutcome.AlreadyStored;
        }

        byte[]? raw;
        try
        {
            raw = await mailbox.GetMimeAsync(messageId, intake.Value.MaxAcceptedBytes, cancellationToken);
        }
        catch (GraphMessageTooLargeException)
        {
            // Graph ids are opaque and name no person; the message stays in the mailbox, where staff can read it.
            logger.LogWarning("Graph message {GraphMessageId} is larger than {MaxBytes} bytes: not taken in; it stays in the mailbox", messageId, intake.Value.MaxAcceptedBytes);
            return GraphIntakeOutcome.TooLarge;
        }

        if (raw is null)
        {
            return GraphIntakeOutcome.Gone;
        }

        await gateway.AcceptAsync(raw, Source, item.ReceivedAt, durable, cancellationToken);
        return GraphIntakeOutcome.Accepted;
    }
}
