using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.Anonymisation;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Reporting;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tasks;

namespace Compliance.Console.Api;

/// <summary>
/// The console's JSON, generated at build time for the wire records it shares with the server (Compliance.Contracts), so the
/// trimmed WebAssembly app needs no reflection to read or write them. Names are camelCase, as the API writes them.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StaffSession))]
[JsonSerializable(typeof(LocalSignInRequest))]
[JsonSerializable(typeof(LocalSignInResponse))]
[JsonSerializable(typeof(RequestPage))]
[JsonSerializable(typeof(RequestView))]
[JsonSerializable(typeof(RequestActionResponse))]
[JsonSerializable(typeof(ProblemView))]
[JsonSerializable(typeof(RequestCorrespondenceView))]
[JsonSerializable(typeof(EmailView))]
[JsonSerializable(typeof(TaskList))]
[JsonSerializable(typeof(ParticipantList))]
[JsonSerializable(typeof(SessionList))]
[JsonSerializable(typeof(RegisterParticipantRequest))]
[JsonSerializable(typeof(RegisterSessionRequest))]
[JsonSerializable(typeof(UploadAnswer))]
[JsonSerializable(typeof(SupplierList))]
[JsonSerializable(typeof(AssignedRecordings))]
[JsonSerializable(typeof(RecordingLink))]
[JsonSerializable(typeof(RequestReport))]
[JsonSerializable(typeof(AuditQueryResponse))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(StudyList))]
[JsonSerializable(typeof(RetentionPlanView))]
[JsonSerializable(typeof(SweepView))]
[JsonSerializable(typeof(SweepStarts))]
[JsonSerializable(typeof(RunRetentionRequest))]
[JsonSerializable(typeof(PlaceHoldRequest))]
[JsonSerializable(typeof(HoldView))]
[JsonSerializable(typeof(PublicationRequest))]
[JsonSerializable(typeof(TaskView))]
[JsonSerializable(typeof(TaskCompletionRequest))]
[JsonSerializable(typeof(CertificateList))]
[JsonSerializable(typeof(DisclosureList))]
[JsonSerializable(typeof(StudyDetail))]
[JsonSerializable(typeof(StudyView))]
[JsonSerializable(typeof(PolicyFileList))]
[JsonSerializable(typeof(RegisterStudyRequest))]
[JsonSerializable(typeof(AnonymisedTranscriptList))]
[JsonSerializable(typeof(PreparedTranscript))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ConsoleJson : JsonSerializerContext;

/// <summary>An error answer of the API (RFC 9457 problem details), with its per-field messages when it has them.</summary>
public sealed record ProblemView(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors)
{
    /// <summary>
    /// The API's messages for <paramref name="field"/> as a sentence about the field as the form labels it (the API writes
    /// "is required.", the form shows "Reason is required."), or null when it has none.
    /// </summary>
    public string? ErrorFor(string field, string label) =>
        Errors is not null && Errors.TryGetValue(field, out var messages) && messages.Length > 0 ? $"{label} {string.Join(" ", messages)}" : null;

    /// <summary>A problem for an answer the API gave without problem details (a proxy's error page, a dropped connection).</summary>
    public static ProblemView Unexpected(int? status) =>
        new("The service did not answer as expected", status is null ? "The request could not be sent; check the connection and try again." : $"It answered {status}. Try again; if it persists, tell the service's administrator.", status, null);
}

/// <summary>What wwwroot/js/upload.js answers: the HTTP status (0 when nothing was sent), the body and its type.</summary>
public sealed record UploadAnswer(int Status, string Body, string ContentType);

/// <summary>What a call to the API gave: the value, or the problem.</summary>
public sealed record ApiResult<T>(T? Value, ProblemView? Problem)
{
    public bool Succeeded => Problem is null;
}
