using Compliance.Mail;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Mail;

/// <summary>
/// Sends the outbox on a schedule: every due message under <c>mail-outbox</c>, through the transport <c>Mail:Transport</c>
/// names, each once (<see cref="OutboxSender"/>). With <c>none</c> it only says, once, that nothing is sent.
/// </summary>
public sealed class OutboxSend(OutboxSender sender, ILogger<OutboxSend> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "OutboxSendSchedule";

    [Function(nameof(SendOutbox))]
    public async Task SendOutbox([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await sender.SendDueAsync(prefix: null, cancellationToken);
        if (run.Sent + run.Retrying + run.Failed + run.Lost > 0)
        {
            logger.LogInformation(
                "Outbox: {Sent} sent, {Retrying} to retry, {Failed} failed, {Lost} taken by another sender",
                run.Sent,
                run.Retrying,
                run.Failed,
                run.Lost);
        }
    }
}
