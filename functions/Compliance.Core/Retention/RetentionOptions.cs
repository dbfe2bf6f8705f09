using System.ComponentModel.DataAnnotations;

namespace Compliance.Retention;

/// <summary>How retention sweeps delete (configuration section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Blobs (each with its versions and snapshots) deleted by one activity.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Batches deleted at the same time.</summary>
    [Range(1, 64)]
    public int MaxParallelBatches { get; set; } = 4;

    /// <summary>Blobs deleted at the same time within one batch.</summary>
    [Range(1, 256)]
    public int MaxParallelDeletesPerBatch { get; set; } = 16;
}

/// <summary>
/// What the storage account keeps after a delete (configuration section <c>StorageProtection</c>, set by the infrastructure
/// to the account's own values), for certificates to say when deleted data becomes unrecoverable.
/// </summary>
public sealed class StorageProtectionOptions
{
    public const string SectionName = "StorageProtection";

    public bool BlobVersioning { get; set; }

    /// <summary>Days a deleted blob stays recoverable (blob soft delete); null when soft delete is off.</summary>
    [Range(1, 365)]
    public int? BlobSoftDeleteRetentionDays { get; set; }
}
