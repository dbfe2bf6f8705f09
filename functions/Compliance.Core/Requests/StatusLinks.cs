using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Compliance.Keys;

namespace Compliance.Requests;

/// <summary>
/// The private link to a request's status page, <c>/status/{requestId}/{token}</c>: the token is an HMAC of the request id
/// under a service key, so it cannot be guessed from the reference, needs no storage of its own, and is made again, the same,
/// by whichever step writes the acknowledgement. The link is a bearer credential: it goes only into the acknowledgement.
/// </summary>
public sealed class StatusLinks(ServiceKeys keys)
{
    /// <summary>The key purpose the tokens are made with.</summary>
    public const string Purpose = "status-link";

    /// <summary>The site path of <paramref name="requestId"/>'s status page.</summary>
    public async Task<string> PathForAsync(string requestId, CancellationToken cancellationToken = default) =>
        $"/status/{requestId}/{await TokenForAsync(requestId, cancellationToken)}";

    /// <summary>The token of <paramref name="requestId"/>: 43 characters of base64url.</summary>
    public async Task<string> TokenForAsync(string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return Base64Url.EncodeToString(await keys.MacAsync(Purpose, requestId, cancellationToken));
    }

    /// <summary>Whether <paramref name="token"/> is <paramref name="requestId"/>'s, compared in constant time.</summary>
    public async Task<bool> IsValidAsync(string requestId, string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64 || !RequestId.IsWellFormed(requestId))
        {
            return false;
        }

        var expected = await TokenForAsync(requestId, cancellationToken);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token));
    }
}
