using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Compliance;

/// <summary>
/// Random ids in Crockford base32 (no I, L, O, U), such as <c>P-7KQ2M9XA</c>: derived from nothing about a person, so they
/// may appear in blob names, orchestration state, logs and audit entries.
/// </summary>
public static partial class PseudonymousId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Participant ids.</summary>
    public const string Participant = "P";

    /// <summary>Session ids.</summary>
    public const string Session = "S";

    /// <summary>Artifact ids.</summary>
    public const string Artifact = "A";

    /// <summary>
    /// <paramref name="length"/> characters of the same alphabet derived from <paramref name="seed"/>: the same seed gives the
    /// same characters, so a retried step that names something it creates names the same thing.
    /// </summary>
    public static string DerivedChars(string seed, int length)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[hash[i % hash.Length] & 31];
        }

        return new string(chars);
    }

    /// <summary><paramref name="length"/> random characters of the alphabet (5 bits each).</summary>
    public static string RandomChars(int length)
    {
        Span<byte> random = stackalloc byte[length];
        RandomNumberGenerator.Fill(random);
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[random[i] & 31];
        }

        return new string(chars);
    }

    /// <summary>A new id with <paramref name="prefix"/>: <c>{prefix}-XXXXXXXX</c> (40 random bits).</summary>
    public static string New(string prefix) => $"{prefix}-{RandomChars(8)}";

    /// <summary>Whether <paramref name="value"/> is an id with <paramref name="prefix"/>.</summary>
    public static bool IsWellFormed(string? value, string prefix) =>
        value is not null && value.Length == prefix.Length + 9 && value.StartsWith(prefix + "-", StringComparison.Ordinal) && Suffix().IsMatch(value[(prefix.Length + 1)..]);

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{8}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();
}
