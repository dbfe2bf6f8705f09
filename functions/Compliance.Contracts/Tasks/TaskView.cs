namespace Compliance.Tasks;

/// <summary>
/// A manual task in <c>GET /api/tasks</c>: which workflow it resumes (<paramref name="RequestId"/>: a request id, an email's
/// intake key, a disclosure id or a study's retention sweep), what kind, for which role, by when, and how it ended.
/// The outcomes each kind takes are <see cref="TaskKind.Outcomes"/>.
/// </summary>
public sealed record TaskView(
    string TaskId,
    string RequestId,
    string StudyId,
    string Kind,
    string AssigneeRole,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    string Status,
    DateTimeOffset? CompletedAt,
    string? CompletedBy,
    string? Outcome,
    string? Reason = null,
    IReadOnlyList<string>? Suggested = null,
    IReadOnlyList<string>? Rules = null);

/// <summary>The answer to <c>GET /api/tasks</c>.</summary>
public sealed record TaskList(IReadOnlyList<TaskView> Tasks, string? Continuation = null);

/// <summary>The body of <c>POST /api/tasks/{id}/complete</c>: the outcome, and for an identity check found verified, the participant.</summary>
public sealed record TaskCompletionRequest(
    string Outcome,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ParticipantId = null);
