using System.Text;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Requests;
using Compliance.SelfHost.Demo;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// A request of each type taken to its end as participants and staff would, and what its end must leave, shared by the
/// tests that disturb a workflow (a killed host, storage faults) and check that it still completes exactly once.
/// </summary>
public static class RequestJourney
{
    private const string SessionLongAgo = "2024-07-10";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A study of its own whose cut-off is still ahead (or <paramref name="inStudy"/>, registered already), one participant
    /// with an interview (recording and transcript) that a supplier transcribed, registered through <paramref name="http"/>.
    /// </summary>
    public static async Task<Subject> ArrangeAsync(HttpClient http, string emailPrefix, string? inStudy = null)
    {
        var studyId = inStudy ?? await StudyApi.RegisterStudyWithPolicyChangesAsync(http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var email = $"{emailPrefix}.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(http, studyId, email, DemoData.People[0].Name);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(http, supplierId, "deletions@supplier.example");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(http, studyId, SessionKind.Interview, SessionLongAgo, supplierId, participantId);
        await StudyApi.UploadAsync(http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        return new Subject(studyId, email, participantId, supplierId);
    }

    /// <summary>
    /// Takes the request as far as its last step that needs a person, takes that step, and returns the request's id. A
    /// participant who enters a code does so <paramref name="codeDelay"/> after its email exists (at once by default). With
    /// <paramref name="details"/>, the request carries the requester's own words.
    /// </summary>
    public static async Task<string> DriveToLastStepAsync(RequestApi api, string type, Subject subject, TimeSpan codeDelay = default, string? details = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(subject);
        var (studyId, email, participantId, _) = subject;
        switch (type)
        {
            case RequestType.Access or RequestType.EraseContact:
                // Entered by the DPO with identity confirmed: the rest runs on its own.
                return await api.SubmitConfirmedAsync(studyId, type, email, details: details);
            case RequestType.Withdraw:
            {
                var id = await api.SubmitConfirmedAsync(studyId, type, email, details: details);
                await api.OpenTaskAsync(id, TaskKind.Approval);
                await api.ActOkAsync(id, RequestAction.Approve);
                return id;
            }

            case RequestType.RectifyContact:
            {
                var id = await api.SubmitConfirmedAsync(studyId, type, email, changes: new { email = $"new.{participantId}.{Guid.NewGuid():N}@example.org" }, details: details);
                await api.WaitForStatusAsync(id, RequestStatus.AwaitingAddressConfirmation);
                await VerifyOkAsync(api, id, await api.CodeAsync(id, "address-confirmation"));
                return id;
            }

            case RequestType.OptOut:
            {
                // From the held address: a code to that address, read and entered as the participant would.
                var id = await api.SubmitAsync(details is null ? new { studyId, type, email } : new { studyId, type, email, details });
                await VerifyOkAsync(api, id, await api.CodeAsync(id), codeDelay);
                return id;
            }

            default:
            {
                // object, complaint, query: the DPO's review is the last step (after the code, for an objection).
                var id = await api.SubmitAsync(details is null ? new { studyId, type, email } : new { studyId, type, email, details });
                if (type == RequestType.Objection)
                {
                    await VerifyOkAsync(api, id, await api.CodeAsync(id), codeDelay);
                }

                await api.CompleteTaskAsync(id, TaskKind.DpoReview, TaskOutcome.Resolved);
                return id;
            }
        }
    }

    /// <summary>
    /// What is left after the last step: a withdrawal or an erasure waits for the supplier's confirmation that it has deleted
    /// what it held (Art. 19).
    /// </summary>
    public static async Task FinishAsync(RequestApi api, string type, string requestId)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (type is RequestType.Withdraw or RequestType.EraseContact)
        {
            await api.CompleteTaskAsync(requestId, TaskKind.SupplierConfirmation, TaskOutcome.Confirmed);
        }
    }

    /// <summary>The request's end, once in the product: completed once, each step audited once, its effect audited, each email once.</summary>
    public static async Task AssertCompletedOnceAsync(RequestApi api, TableServiceClient tables, string type, string requestId, Subject subject)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(subject);
        var request = await api.Store.GetAsync(requestId, Ct);
        request.Status.ShouldBe(RequestStatus.Completed);
        (await api.Store.GetHistoryAsync(requestId, Ct)).Count(h => h.Event == "completed").ShouldBe(1);
        var audit = await new AuditLog(tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.GroupBy(e => $"{e.Action} {string.Join(',', e.Details.Select(d => $"{d.Key}={d.Value}"))}")
            .Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("no step is audited twice");
        audit.Count(e => e.Action == AuditActions.RequestCompleted).ShouldBe(1);
        audit.ShouldContain(e => e.Action == EffectOf(type), $"the {type} was carried out");
        (await api.EmailKeysAsync(requestId)).ShouldBe(ExpectedEmails(type, subject.SupplierId).Order(StringComparer.Ordinal), ignoreOrder: false);
    }

    /// <summary>The engine's history events of an instance, read from the task hub's History table.</summary>
    public static async Task<List<string>> EngineEventsAsync(TableClient history, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(history);
        var events = new List<string>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}"), cancellationToken: Ct))
        {
            events.Add(row.GetString("EventType") ?? string.Empty);
        }

        return events;
    }

    private static async Task VerifyOkAsync(RequestApi api, string requestId, string code, TimeSpan delay = default)
    {
        await Task.Delay(delay, Ct);
        using var response = await api.VerifyAsync(requestId, code);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    /// <summary>The audited action that shows the request's own work was done.</summary>
    public static string EffectOf(string type) => type switch
    {
        RequestType.Access => AuditActions.ExportCreated,
        RequestType.Withdraw => AuditActions.ResearchDataDeleted,
        RequestType.EraseContact => AuditActions.ContactErased,
        RequestType.RectifyContact => AuditActions.ContactUpdated,
        RequestType.OptOut => AuditActions.DoNotContactSet,
        _ => AuditActions.TaskCompleted,
    };

    /// <summary>The message keys of the emails a request of <paramref name="type"/> sends, each once.</summary>
    public static string[] ExpectedEmails(string type, string supplierId) => type switch
    {
        RequestType.RectifyContact => ["acknowledgement", "address-confirmation", "outcome"],
        RequestType.OptOut or RequestType.Objection => ["acknowledgement", "outcome", "verification-code-1"],
        RequestType.Withdraw or RequestType.EraseContact => ["acknowledgement", "outcome", $"supplier-notice-{supplierId}"],
        _ => ["acknowledgement", "outcome"],
    };

    /// <summary>Who a journey is about: a study of its own, a participant's address and id, the supplier that holds their data.</summary>
    public sealed record Subject(string StudyId, string Email, string ParticipantId, string SupplierId);
}
