using Microsoft.DurableTask;

namespace Compliance.Functions;

/// <summary>The retry every workflow gives its activities: storage and mail hiccups pass; a real fault fails after 5 tries.</summary>
public static class ActivityRetry
{
    /// <summary>5 attempts, 1 s then doubling (about 15 s in all).</summary>
    public static TaskOptions Default { get; } = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2.0));
}
