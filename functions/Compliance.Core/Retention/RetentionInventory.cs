namespace Compliance.Retention;

/// <summary>
/// One stored thing a sweep plans to delete: a blob, one of its previous versions, or one of its snapshots. Names are
/// pseudonymous (study, session, artifact and request ids), so the inventory and the certificate hold no personal data.
/// </summary>
public sealed record InventoryItem(string Container, string BlobName, string? VersionId, string? Snapshot, long Size, string? Sha256)
{
    /// <summary>The blob the item belongs to (all its versions and snapshots are deleted together).</summary>
    public string BlobKey => Container + "/" + BlobName;
}

/// <summary>A blob a hold keeps back, with the holds that cover it.</summary>
public sealed record HeldItem(string Container, string BlobName, IReadOnlyList<string> HoldIds);

/// <summary>
/// What a retention sweep planned, taken once at its start and stored, so a sweep restarted after a crash carries out the
/// same plan: the items to delete, grouped into batches of blobs, what holds keep back, and whose contact details go.
/// </summary>
public sealed record RetentionInventory(
    string SweepId,
    string StudyId,
    DateTimeOffset TakenAt,
    IReadOnlyList<InventoryItem> Items,
    IReadOnlyList<HeldItem> Held,
    IReadOnlyList<string> Participants,
    IReadOnlyList<string> HeldParticipants,
    IReadOnlyList<IReadOnlyList<string>> Batches)
{
    /// <summary>Splits the items' blobs into batches of at most <paramref name="batchSize"/> blobs, in a stable order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> BatchesOf(IEnumerable<InventoryItem> items, int batchSize) =>
        items.Select(i => i.BlobKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Chunk(batchSize).Select(c => (IReadOnlyList<string>)c).ToList();
}
