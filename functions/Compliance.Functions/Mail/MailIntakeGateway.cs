using Compliance.Audit;
using Compliance.Mail.Intake;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Mail;

/// <summary>What became of one delivery of a raw message.</summary>
/// <param name="IntakeKey">The message's intake key: the instance id of its intake work.</param>
/// <param name="StoredNow">This delivery stored the message; false when an earlier delivery had.</param>
/// <param name="StartedNow">This delivery started the intake work; false when it had been started before.</param>
public sealed record MailAccepted(string IntakeKey, bool StoredNow, bool StartedNow);

/// <summary>
/// The one way in for raw email, whichever connector brought it (the relay route, the Graph webhook, the Graph catch-up):
/// store the bytes unchanged in <c>mail-inbound</c> under the message's intake key, then start the <c>MailIntake</c>
/// workflow under that same key. A message delivered twice, or by two connectors, is stored once and processed once.
/// </summary>
public sealed class MailIntakeGateway(InboundMailStore store, AuditLog audit, TimeProvider time, Microsoft.Extensions.Options.IOptions<IntakeOptions> options, ILogger<MailIntakeGateway> logger)
{
    /// <summary>
    /// Stores <paramref name="raw"/> and starts its intake work. <paramref name="receivedAt"/> is when the mail system
    /// received it, when the connector knows (Graph's <c>receivedDateTime</c>); otherwise now. The statutory clock of any
    /// request in it starts on that day.
    /// </summary>
    public async Task<MailAccepted> AcceptAsync(byte[] raw, string source, DateTimeOffset? receivedAt, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(durable);
        var stored = await store.StoreAsync(raw, source, receivedAt ?? time.GetUtcNow(), cancellationToken);
        if (stored.StoredNow)
        {
            await audit.AppendAsync(
                new AuditEvent(AuditActors.System, AuditActions.MailReceived)
                {
                    RequestId = stored.IntakeKey,
                    Details = new Dictionary<string, string> { ["intakeKey"] = stored.IntakeKey, ["source"] = source, ["bytes"] = raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    IdempotencyKey = $"{stored.IntakeKey}:received",
                },
                cancellationToken);
        }

        var started = !stored.Started && await StartAsync(stored.IntakeKey, durable, cancellationToken);
        logger.LogInformation("Inbound message {IntakeKey} from {Source}: stored {StoredNow}, intake started {StartedNow}", stored.IntakeKey, source, stored.StoredNow, started);
        return new MailAccepted(stored.IntakeKey, stored.StoredNow, started);
    }

    /// <summary>
    /// Starts the intake work of every message stored within <see cref="IntakeOptions.CatchUpWindow"/> whose work was never
    /// started: a host that died between storing a message and starting its work leaves exactly that. Returns how many it started.
    /// </summary>
    public async Task<int> CatchUpAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var stored in await store.ListSinceAsync(time.GetUtcNow() - options.Value.CatchUpWindow, cancellationToken))
        {
            if (!stored.Started && await StartAsync(stored.IntakeKey, durable, cancellationToken))
            {
                started++;
                logger.LogWarning("Inbound message {IntakeKey} was stored but its intake had not started: started now", stored.IntakeKey);
            }
        }

        return started;
    }

    /// <summary>Starts the intake work of a stored message unless it has been started, and marks the message as started.</summary>
    private async Task<bool> StartAsync(string intakeKey, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        if (await durable.GetInstanceAsync(intakeKey, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            await store.MarkStartedAsync(intakeKey, cancellationToken);
            return false;
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(MailIntakeOrchestration.MailIntake),
                new MailIntakeInput(intakeKey),
                new StartOrchestrationOptions(intakeKey),
                cancellationToken);
            await store.MarkStartedAsync(intakeKey, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Another delivery may have started it between the check and the start; if not, the failure is real.
            if (await durable.GetInstanceAsync(intakeKey, getInputsAndOutputs: false, cancellationToken) is not null)
            {
                return false;
            }

            throw;
        }
    }
}
