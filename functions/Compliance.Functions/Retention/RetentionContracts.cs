namespace Compliance.Functions.Retention;

/// <summary>The input of a study's retention sweep; the instance id is <see cref="RetentionSweepOrchestration.InstanceIdFor"/>.</summary>
public sealed record RetentionSweepInput(string StudyId);

/// <summary>Whether the study is due, and the id its sweep (and certificate) will have.</summary>
public sealed record SweepPlan(bool Due, string SweepId, DateOnly? DeletionDate);

/// <summary>A step of a sweep.</summary>
public sealed record SweepStepInput(string StudyId, string SweepId, DateTimeOffset At);

/// <summary>What the inventory holds, in counts: the workflow keeps counts and ids, the inventory blob keeps the rest.</summary>
public sealed record SweepInventorySummary(int Items, int Blobs, int Batches, int HeldBlobs, int Participants);

/// <summary>Deletes batch <paramref name="Batch"/> of the sweep's stored inventory.</summary>
public sealed record SweepBatchInput(string StudyId, string SweepId, int Batch);

/// <summary>The sweep's progress, as its custom status.</summary>
public sealed record SweepStatus(string Step, int BatchesDone, int Batches);

/// <summary>The output of a sweep.</summary>
public sealed record RetentionSweepResult(string StudyId, string Outcome, string? CertificateId, int Deleted, int HeldBlobs, int StillPresent);

/// <summary>A supplier told after a sweep to delete its copies, and the DPO's task for recording its confirmation.</summary>
public sealed record SweepSupplierTask(string SupplierId, string TaskId);

/// <summary>The suppliers a sweep told, and until when their confirmations are awaited before the certificate is written.</summary>
public sealed record SweepSupplierNotice(IReadOnlyList<SweepSupplierTask> Told, DateTimeOffset ConfirmBy);
