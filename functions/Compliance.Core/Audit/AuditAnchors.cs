using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.Storage;

namespace Compliance.Audit;

/// <summary>
/// A chain's head as it stood at <see cref="AnchoredAt"/>: its last entry's position and hash, copied to write-once storage
/// so that a chain rewritten afterwards (every entry re-hashed, every link consistent, the head moved to match) still
/// disagrees with what was anchored. <see cref="Reason"/> says why it was taken: <see cref="AuditAnchors.Scheduled"/> or a
/// certificate's issue.
/// </summary>
public sealed record AuditAnchor(string Chain, long Sequence, string Hash, DateTimeOffset AnchoredAt, string Reason);

/// <summary>
/// The audit chains' anchors in the <c>audit-anchors</c> container, one blob per anchor, named
/// <c>{chain}/{sequence:D19}-{hash}</c> so one listing gives every anchor without reading any, and written create-only
/// (<see cref="CreateOnlyBlob"/>): in Azure the container has a time-based immutability policy, so neither the service nor
/// anyone holding its keys can change or delete an anchor while the policy holds. Chain ids and hashes only: no personal data.
/// </summary>
public sealed class AuditAnchors(BlobServiceClient blobs)
{
    /// <summary>The reason of an anchor taken by the hourly timer.</summary>
    public const string Scheduled = "scheduled";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.Containers.AuditAnchors);

    /// <summary>Writes <paramref name="anchor"/> unless that position of the chain is anchored already; true when this call wrote it.</summary>
    public async Task<bool> TryWriteAsync(AuditAnchor anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);

        // The name carries the hash, so a second anchor of the same position with another hash is a blob of its own, and
        // the verification reports the disagreement rather than one silently winning.
        return await container.GetBlobClient(NameOf(anchor)).TryCreateAsync(BinaryData.FromObjectAsJson(anchor, Json), "application/json", cancellationToken: cancellationToken);
    }

    /// <summary>Every anchor, by chain, from one listing of the container's names.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AuditAnchor>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, List<AuditAnchor>>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (Parse(blob.Name, blob.Properties.CreatedOn ?? DateTimeOffset.MinValue) is { } anchor)
            {
                if (!found.TryGetValue(anchor.Chain, out var list))
                {
                    found[anchor.Chain] = list = [];
                }

                list.Add(anchor);
            }
        }

        return found.ToDictionary(p => p.Key, p => (IReadOnlyList<AuditAnchor>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>The blob name of <paramref name="anchor"/>.</summary>
    public static string NameOf(AuditAnchor anchor)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        return $"{anchor.Chain}/{AuditLog.RowKeyFor(anchor.Sequence)}-{anchor.Hash}";
    }

    /// <summary>
    /// The anchor a blob name stands for (its reason is in the content, which verification need not read), or null for a
    /// name of another shape.
    /// </summary>
    private static AuditAnchor? Parse(string name, DateTimeOffset createdOn)
    {
        var slash = name.LastIndexOf('/');
        if (slash <= 0 || name.Length - slash - 1 != 19 + 1 + 64 || name[slash + 20] != '-')
        {
            return null;
        }

        var hash = name[(slash + 21)..];
        return long.TryParse(name.AsSpan(slash + 1, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && hash.All(char.IsAsciiHexDigitLower)
            ? new AuditAnchor(name[..slash], sequence, hash, createdOn, Reason: string.Empty)
            : null;
    }
}
