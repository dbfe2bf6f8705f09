namespace Compliance.Deletion;

/// <summary>
/// One blob, blob version or snapshot that was deleted: where it was and what it was, by pseudonymous names only, so that a
/// deletion certificate can list it. <paramref name="VersionId"/> and <paramref name="Snapshot"/> are null for the blob itself
/// on an account without versioning; <paramref name="Sha256"/> is known only for the content the index recorded.
/// </summary>
public sealed record DeletedItem(string Container, string BlobName, string? VersionId, string? Snapshot, long Size, string? Sha256);
