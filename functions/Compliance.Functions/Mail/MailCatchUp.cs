using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Mail;

/// <summary>
/// Starts the intake work of messages that were stored but never started, which is what a host killed between the two
/// leaves behind. Runs on a schedule and at start-up, so nothing stored is left unprocessed.
/// </summary>
public sealed class MailCatchUp(MailIntakeGateway gateway, ILogger<MailCatchUp> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "MailCatchUpSchedule";

    [Function(nameof(StartStoredMail))]
    public async Task StartStoredMail(
        [TimerTrigger("%" + ScheduleSetting + "%", RunOnStartup = true)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await gateway.CatchUpAsync(durable, cancellationToken);
        logger.LogInformation("Mail catch-up: started the intake of {Count} stored messages", started);
    }
}
