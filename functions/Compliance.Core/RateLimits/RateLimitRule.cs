namespace Compliance.RateLimits;

/// <summary>
/// One limit: at most <see cref="Limit"/> requests per <see cref="Window"/> for one key (a client address, an email address).
/// <see cref="Name"/> is part of the stored row's key, so it stays the same from release to release; a limit of 0 is off.
/// </summary>
public sealed record RateLimitRule(string Name, int Limit, TimeSpan Window)
{
    /// <summary>Whether the rule lets everything through (a limit of 0, a rule or all rules switched off).</summary>
    public bool IsOff => Limit <= 0;
}

/// <summary>What <see cref="RateLimiter.CheckAsync"/> decided: let the request through, or refuse it until <see cref="RetryAfter"/> has passed.</summary>
public sealed record RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    /// <summary>Let through (and counted, when the rule is on).</summary>
    public static RateLimitDecision Allow { get; } = new(true, TimeSpan.Zero);

    /// <summary>Refused; the caller may try again after <paramref name="retryAfter"/>, at least a second.</summary>
    public static RateLimitDecision Refuse(TimeSpan retryAfter) => new(false, retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter);

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up: the value of a <c>Retry-After</c> header.</summary>
    public int RetryAfterSeconds => (int)Math.Ceiling(RetryAfter.TotalSeconds);
}
