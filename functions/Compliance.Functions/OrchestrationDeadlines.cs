using Microsoft.DurableTask;

namespace Compliance.Functions;

/// <summary>Waiting in a workflow for something that may never come, with a durable timer as the limit.</summary>
public static class OrchestrationDeadlines
{
    /// <summary>
    /// Waits for <paramref name="awaited"/> (a durable task: an external event, or work made of them) until
    /// <paramref name="deadline"/>; true when it came first. The timer is cancelled then, so nothing is left scheduled.
    /// </summary>
    public static async Task<bool> CameBeforeAsync(this TaskOrchestrationContext context, Task awaited, DateTimeOffset deadline)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var timeUp = new CancellationTokenSource();
        if (await Task.WhenAny(awaited, context.CreateTimer(deadline.UtcDateTime, timeUp.Token)) != awaited)
        {
            return false;
        }

        // Cancel, not CancelAsync: an orchestrator may await only durable tasks.
#pragma warning disable CA1849
        timeUp.Cancel();
#pragma warning restore CA1849
        return true;
    }
}
