namespace Compliance.Suppliers;

/// <summary>A recording assigned to the transcriber's supplier.</summary>
public sealed record AssignedRecording(string StudyId, string SessionId, string ArtifactId, long Size, DateTimeOffset UploadedAt, bool HasTranscript);

/// <summary>The answer to <c>GET /api/transcription/recordings</c>.</summary>
public sealed record AssignedRecordings(string SupplierId, IReadOnlyList<AssignedRecording> Recordings);

/// <summary>A read link to one recording.</summary>
public sealed record RecordingLink(string StudyId, string ArtifactId, Uri Url, DateTimeOffset ExpiresOn);

/// <summary>
/// A supplier in <c>GET /api/suppliers</c>: its contract's standing under the strictest policy of the studies it serves.
/// <c>standing</c> is <c>current</c>, or why its transcribers are refused (<c>not-approved</c>, <c>no-contract</c>,
/// <c>contract-lapsed</c>, <c>suspended</c>); <c>daysUntilLapse</c> counts from today (negative once lapsed).
/// </summary>
public sealed record SupplierView(
    string SupplierId,
    string Name,
    string? Email,
    bool Approved,
    DateOnly? ContractSignedOn,
    DateOnly? LapsesOn,
    int? DaysUntilLapse,
    bool Warn,
    string Standing,
    DateTimeOffset? SuspendedAt,
    IReadOnlyList<string> Transcribers);

/// <summary>The answer to <c>GET /api/suppliers</c>.</summary>
public sealed record SupplierList(IReadOnlyList<SupplierView> Suppliers, string? Continuation = null);

/// <summary>A supplier's standing (<see cref="SupplierView.Standing"/>): current, or why its transcribers are refused.</summary>
public static class SupplierStanding
{
    public const string Current = "current";
    public const string NotApproved = "not-approved";
    public const string NoContract = "no-contract";
    public const string Lapsed = "contract-lapsed";
    public const string Suspended = "suspended";
}
