using Compliance.Keys;

namespace Compliance.RateLimits;

/// <summary>
/// The keyed hash (HMAC-SHA256) that stands for a rate-limit key in storage, so no row holds a client or email address.
/// The key is the service key for <see cref="Purpose"/> (<see cref="ServiceKeys"/>: derived from one master key that every
/// instance shares), so all instances hash alike and share their counts. Without it a row cannot be traced back by hashing
/// candidate addresses (there are only 2^32 IPv4 addresses); replacing the master key starts every count afresh.
/// </summary>
public sealed class RateLimitKeyHasher(ServiceKeys keys)
{
    /// <summary>The key purpose the hashes are made with.</summary>
    public const string Purpose = "rate-limits";

    /// <summary>The hash of <paramref name="value"/>, as 64 lower-case hex digits (fit for a table key).</summary>
    public async Task<string> HashAsync(string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Convert.ToHexStringLower(await keys.MacAsync(Purpose, value, cancellationToken));
    }
}
