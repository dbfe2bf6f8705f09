using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compliance.Mail.Intake;

/// <summary>
/// Message-IDs and the intake key derived from them: the instance id of a message's intake work, the same for every delivery
/// of the same message, whichever connector brought it.
/// </summary>
/// <remarks>
/// The key is <c>MAIL-</c> followed by the first 32 hex digits (128 bits) of the SHA-256 of the normalised id. Normalising
/// trims whitespace, removes the angle brackets and lower-cases the whole id. RFC 5322 makes the local part case-sensitive,
/// but relays and clients have been seen to change its case, and two different messages whose ids differ only in case
/// do not occur in practice (generators use random or hex strings), so intake treats ids case-insensitively everywhere.
/// A message without a Message-ID is known by <c>sha256:{hex}</c> of its raw bytes, so the same bytes give the same key.
/// </remarks>
public static class MessageIds
{
    /// <summary>The prefix of every intake key.</summary>
    public const string KeyPrefix = "MAIL-";

    /// <summary>The prefix of an id made from the content of a message that has no Message-ID.</summary>
    public const string ContentIdPrefix = "sha256:";

    /// <summary>An id as written (<c> &lt;A@B&gt; </c>) without surrounding whitespace and angle brackets, case kept.</summary>
    public static string Strip(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var id = messageId.Trim();
        if (id.StartsWith('<') && id.EndsWith('>'))
        {
            id = id[1..^1].Trim();
        }

        return id;
    }

    /// <summary>The form ids are compared in: stripped and lower-case.</summary>
    public static string Normalise(string messageId) => Strip(messageId).ToLowerInvariant();

    /// <summary>The intake key of a Message-ID (or a <c>sha256:</c> content id).</summary>
    public static string IntakeKeyFor(string messageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(messageId)));
        return KeyPrefix + Convert.ToHexStringLower(hash)[..32];
    }

    /// <summary>The content id of raw bytes whose SHA-256 is <paramref name="sha256Hex"/>.</summary>
    public static string ContentId(string sha256Hex) => ContentIdPrefix + sha256Hex.ToLower(CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="key"/> has the shape of an intake key.</summary>
    public static bool IsIntakeKey(string? key) =>
        key is { Length: 37 } && key.StartsWith(KeyPrefix, StringComparison.Ordinal) && key[5..].All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));
}
