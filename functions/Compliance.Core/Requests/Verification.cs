using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compliance.Requests;

/// <summary>How a request's identity is verified, proportionately (PRODUCT.md, UK GDPR Art. 12(6)).</summary>
public static class VerificationMode
{
    /// <summary>No verification: queries and complaints, or staff confirmed identity by other means.</summary>
    public const string None = "none";

    /// <summary>The requester wrote from the address held for a participant: a code goes to that held address.</summary>
    public const string CodeToHeldAddress = "code";

    /// <summary>The address matched no participant: the requester is asked for details only a participant would know, and the DPO decides.</summary>
    public const string DetailsCheck = "details";

    /// <summary>The request types that disclose or change data, and so need verification.</summary>
    public static IReadOnlySet<string> TypesNeedingVerification { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        RequestType.Access, RequestType.Withdraw, RequestType.EraseContact, RequestType.RectifyContact, RequestType.OptOut, RequestType.Objection,
    };
}

/// <summary>The result of checking a code. Callers answer every outcome but <see cref="Verified"/> the same way, so nothing leaks.</summary>
public enum CodeCheck
{
    Verified,
    AlreadyVerified,
    Rejected,
    Expired,
    Locked,
}

/// <summary>Six-digit verification codes; only a hash bound to the request id is stored.</summary>
public static class VerificationCodes
{
    public static string New() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The purpose of the service key a request's verification codes are derived under.</summary>
    public const string KeyPurpose = "verification-code";

    /// <summary>
    /// What a request's <paramref name="sequence"/>th code is keyed on: the same for every attempt of the step that sends it,
    /// so a retried or doubled step writes the one code the request accepts, never a second that overwrote the first.
    /// </summary>
    public static string DerivationInput(string requestId, int sequence) => string.Create(CultureInfo.InvariantCulture, $"{requestId}|{sequence}");

    /// <summary>Six digits from a keyed hash (<c>ServiceKeys.MacAsync</c>): unpredictable without the service's key.</summary>
    public static string FromMac(byte[] mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    public static string Hash(string requestId, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{requestId}:{code.Trim()}")));

    public static bool Matches(string requestId, string code, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(requestId, code)), Encoding.ASCII.GetBytes(hash));
}
