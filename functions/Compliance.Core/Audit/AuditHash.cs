using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compliance.Audit;

/// <summary>
/// The hash of an audit entry: SHA-256, as lower-case hex, of the UTF-8 bytes of its canonical form. The form is written out
/// in docs/audit.md so that anyone can recompute a hash with nothing but <c>sha256sum</c>; changing it breaks every stored chain.
/// </summary>
public static class AuditHash
{
    /// <summary>The first line of the canonical form; a new form would get a new version.</summary>
    public const string Version = "compliance-audit-v1";

    /// <summary>The previous hash of the first entry of every chain: 64 zeros.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// The canonical form: one <c>name=value</c> line per field, each ending in LF, in this order: the version line, then
    /// <c>chain</c>, <c>sequence</c> (decimal), <c>at</c> (UTC, round-trip format <c>O</c>), <c>actor</c>, <c>action</c>,
    /// <c>studyId</c>, <c>requestId</c>, <c>idempotencyKey</c> (empty when absent), one <c>detail.{key}</c> line per detail
    /// sorted by key (ordinal), and <c>previousHash</c>. The entry's own <see cref="AuditEntry.Hash"/> is not part of it.
    /// </summary>
    /// <exception cref="FormatException">A field holds a line break (or a detail key holds <c>=</c>), which would make the form ambiguous.</exception>
    public static string CanonicalForm(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder(512);
        text.Append(Version).Append('\n');
        Line(text, "chain", entry.Chain);
        Line(text, "sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture));
        Line(text, "at", entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Line(text, "actor", entry.Actor);
        Line(text, "action", entry.Action);
        Line(text, "studyId", entry.StudyId);
        Line(text, "requestId", entry.RequestId);
        Line(text, "idempotencyKey", entry.IdempotencyKey);
        foreach (var (key, value) in entry.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (key.Contains('=', StringComparison.Ordinal))
            {
                throw new FormatException("A detail key of an audit entry holds '='.");
            }

            Line(text, "detail." + key, value);
        }

        Line(text, "previousHash", entry.PreviousHash);
        return text.ToString();
    }

    /// <summary>SHA-256, lower-case hex, of the UTF-8 bytes of <see cref="CanonicalForm"/>.</summary>
    public static string Compute(AuditEntry entry) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalForm(entry))));

    private static void Line(StringBuilder text, string name, string? value)
    {
        // Each field is one line, so a line break inside a value could make two different entries share a form.
        if (value is not null && value.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            throw new FormatException($"The field '{name}' of an audit entry holds a line break.");
        }

        text.Append(name).Append('=').Append(value).Append('\n');
    }
}
