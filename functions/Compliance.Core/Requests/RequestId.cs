using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Compliance.Requests;

/// <summary>
/// Request ids, such as <c>DSR-20261125-7KQ2M9XA</c>: the day of receipt (UTC) and 40 random bits in Crockford base32.
/// Short enough to quote in an email subject, never derived from anything about the requester, and the
/// orchestration instance id of the request's workflow.
/// </summary>
public static partial class RequestId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new id for a request received at <paramref name="receivedAt"/>.</summary>
    public static string New(DateTimeOffset receivedAt)
    {
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        ulong bits = 0;
        foreach (var b in random)
        {
            bits = (bits << 8) | b;
        }

        Span<char> suffix = stackalloc char[8];
        for (var i = suffix.Length - 1; i >= 0; i--)
        {
            suffix[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return string.Create(CultureInfo.InvariantCulture, $"DSR-{receivedAt.UtcDateTime:yyyyMMdd}-{suffix}");
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a request id (it may still name no request).</summary>
    public static bool IsWellFormed(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("^DSR-[0-9]{8}-[0-9A-HJKMNP-TV-Z]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
