using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Studies;

namespace Compliance.Tasks;

/// <summary>The kinds of workflow a manual task can belong to.</summary>
public enum WorkflowKind
{
    /// <summary>A data-subject request's workflow; its instance id is the request id (<c>DSR-…</c>).</summary>
    Request,

    /// <summary>An email's intake; its instance id is the intake key (<c>MAIL-…</c>).</summary>
    MailIntake,

    /// <summary>A safeguarding disclosure (<c>SG-…</c>): no workflow waits, the review is staff's alone.</summary>
    Disclosure,

    /// <summary>A study's retention sweep; its instance id is <c>retention-{studyId}</c>.</summary>
    RetentionSweep,
}

/// <summary>
/// The workflow a manual task belongs to, by its instance id. One string used to hold a request id, an intake key, a
/// disclosure id or a sweep's instance id; this type says which, and is written as that string on the wire
/// (<c>requestId</c>) and in storage.
/// </summary>
[JsonConverter(typeof(WorkflowRefJsonConverter))]
public readonly record struct WorkflowRef
{
    /// <summary>The prefix of a retention sweep's instance id, before the study id.</summary>
    public const string RetentionSweepPrefix = "retention-";

    private WorkflowRef(WorkflowKind kind, string id)
    {
        Kind = kind;
        Id = id;
    }

    public WorkflowKind Kind { get; }

    /// <summary>The workflow's instance id (a disclosure's id for a disclosure).</summary>
    public string Id { get; }

    public static WorkflowRef Request(string requestId) => Of(WorkflowKind.Request, requestId);

    public static WorkflowRef MailIntake(string intakeKey) => Of(WorkflowKind.MailIntake, intakeKey);

    public static WorkflowRef Disclosure(string disclosureId) => Of(WorkflowKind.Disclosure, disclosureId);

    /// <summary>The sweep of <paramref name="studyId"/>.</summary>
    public static WorkflowRef RetentionSweep(string studyId) => Of(WorkflowKind.RetentionSweep, RetentionSweepPrefix + studyId);

    /// <summary>The reference an id stands for, by its shape; false for a string that is none of them.</summary>
    public static bool TryParse(string? value, out WorkflowRef workflow)
    {
        WorkflowKind? kind = value switch
        {
            _ when RequestId.IsWellFormed(value) => WorkflowKind.Request,
            _ when MessageIds.IsIntakeKey(value) => WorkflowKind.MailIntake,
            _ when PseudonymousId.IsWellFormed(value, "SG") => WorkflowKind.Disclosure,
            { } v when v.StartsWith(RetentionSweepPrefix, StringComparison.Ordinal) && StudyIds.IsWellFormed(v[RetentionSweepPrefix.Length..]) => WorkflowKind.RetentionSweep,
            _ => null,
        };
        workflow = kind is { } k ? new WorkflowRef(k, value!) : default;
        return kind is not null;
    }

    /// <summary>The reference an id stands for.</summary>
    /// <exception cref="FormatException">It is none of a request id, an intake key, a disclosure id or a sweep's instance id.</exception>
    public static WorkflowRef Parse(string? value) =>
        TryParse(value, out var workflow) ? workflow : throw new FormatException($"'{value}' names no workflow a task can belong to.");

    public override string ToString() => Id ?? string.Empty;

    private static WorkflowRef Of(WorkflowKind kind, string id) =>
        TryParse(id, out var workflow) && workflow.Kind == kind ? workflow : throw new ArgumentException($"'{id}' is not a {kind} id.", nameof(id));
}

/// <summary>Writes a <see cref="WorkflowRef"/> as its id, and reads one back by the id's shape.</summary>
public sealed class WorkflowRefJsonConverter : JsonConverter<WorkflowRef>
{
    public override WorkflowRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WorkflowRef.TryParse(reader.GetString(), out var workflow) ? workflow : throw new JsonException("Not a workflow reference.");

    public override void Write(Utf8JsonWriter writer, WorkflowRef value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Id);
    }
}
