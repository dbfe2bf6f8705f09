using Compliance.Mail.Intake;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models.ODataErrors;

namespace Compliance.Functions.Mail.Graph;

/// <summary>What a catch-up run did: messages seen, taken in, already held, failed, and whether it saved a new delta link.</summary>
public sealed record GraphCatchUpResult(int Seen, int TakenIn, int AlreadyStored, int Failed, bool DeltaLinkSaved);

/// <summary>
/// The safety net under the webhook: a delta query on the inbox's new messages since the last run, following every
/// <c>@odata.nextLink</c>, taking in each message (the gateway makes a repeat harmless) and storing the final
/// <c>@odata.deltaLink</c> for the next run. The first run, or one after Graph forgot the link, looks back
/// <c>Intake:CatchUpWindow</c>. A run in which a message failed keeps the previous link, so the next run sees it again.
/// </summary>
public sealed class GraphDeltaCatchUp(
    IOptions<GraphOptions> options,
    IOptions<IntakeOptions> intakeOptions,
    GraphMailbox mailbox,
    GraphInboxIntake intake,
    GraphConnectorState state,
    TimeProvider time,
    ILogger<GraphDeltaCatchUp> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "GraphDeltaSchedule";

    [Function(nameof(CatchUpGraphInbox))]
    public async Task CatchUpGraphInbox(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            logger.LogDebug("Graph catch-up: the connector is not configured");
            return;
        }

        var result = await RunAsync(durable, cancellationToken);
        logger.LogInformation(
            "Graph catch-up: {Seen} new messages, {TakenIn} taken in, {AlreadyStored} already held, {Failed} failed, delta link saved {Saved}",
            result.Seen, result.TakenIn, result.AlreadyStored, result.Failed, result.DeltaLinkSaved);
    }

    /// <summary>One round of the delta query, from the stored delta link (or the catch-up window when there is none).</summary>
    public async Task<GraphCatchUpResult> RunAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - intakeOptions.Value.CatchUpWindow;
        var link = await state.GetDeltaLinkAsync(cancellationToken);
        var startedOver = false;
        int seen = 0, takenIn = 0, alreadyStored = 0, failed = 0;
        while (true)
        {
            GraphDeltaPage page;
            try
            {
                page = await mailbox.GetInboxDeltaAsync(link, since, cancellationToken);
            }
            catch (ODataError error) when (error.ResponseStatusCode == 410 && link is not null && !startedOver)
            {
                // Graph no longer knows the round's state: start a new round over the catch-up window.
                logger.LogWarning("Graph catch-up: the delta link has expired; starting over from {Since}", since);
                link = null;
                startedOver = true;
                continue;
            }

            foreach (var item in page.Items)
            {
                seen++;
                try
                {
                    switch (await intake.TakeInAsync(item.Id, item, durable, cancellationToken))
                    {
                        case GraphIntakeOutcome.Accepted:
                            takenIn++;
                            break;
                        case GraphIntakeOutcome.AlreadyStored:
                            alreadyStored++;
                            break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    logger.LogWarning("Graph catch-up: message {GraphMessageId} could not be taken in ({Error}); the next run tries again", item.Id, ex.GetType().Name);
                }
            }

            if (page.NextLink is { } next)
            {
                link = next;
                continue;
            }

            var save = failed == 0 && page.DeltaLink is not null;
            if (save)
            {
                await state.SaveDeltaLinkAsync(page.DeltaLink!, cancellationToken);
            }

            return new GraphCatchUpResult(seen, takenIn, alreadyStored, failed, save);
        }
    }
}
