using Compliance.RateLimits;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Maintenance;

/// <summary>
/// Deletes the rate-limit rows whose window has ended. A key seen again reuses its row; one not seen again would otherwise
/// keep its keyed hash for ever, and the product keeps nothing longer than it needs (docs/security.md).
/// </summary>
public sealed class RateLimitPurge(RateLimiter limiter, ILogger<RateLimitPurge> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "RateLimitPurgeSchedule";

    [Function(nameof(PurgeRateLimitWindows))]
    public async Task PurgeRateLimitWindows(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        var purged = await limiter.PurgeEndedAsync(cancellationToken);
        logger.LogInformation("Purged {Count} ended rate-limit windows", purged);
    }
}
