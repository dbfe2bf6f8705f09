using Compliance.Functions.Anonymisation;
using Compliance.Functions.Audit;
using Compliance.Functions.Health;
using Compliance.Functions.Http;
using Compliance.Functions.Identity;
using Compliance.Functions.Mail;
using Compliance.Functions.Mail.Graph;
using Compliance.Functions.Reporting;
using Compliance.Functions.Requests;
using Compliance.Functions.Retention;
using Compliance.Functions.Studies;
using Compliance.Functions.Suppliers;
using Compliance.Functions.Tasks;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;

namespace Compliance.Functions.Api;

/// <summary>
/// What the OpenAPI document says of each route under <c>api/</c>, by function name. Methods and paths are not here: they
/// are read from the routes' <c>[HttpTrigger]</c>s. Roles are the very role sets the routes check, and bodies the very
/// <see cref="BodySchema{T}"/>s they read with, so neither is written twice; a route without an entry here, or an entry
/// without a route, stops the document being built (and its tests).
/// </summary>
public static class ApiRoutes
{
    // The validators of two bodies read a study or a task; only their shape is described, so any will do.
    private static readonly Study AnyStudy = new()
    {
        StudyId = "any", Title = "any", PolicySource = "any", PolicyText = "", PolicyVersion = "any", NoticeVersion = "any",
        EndOfDataCollection = DateOnly.MinValue, RegisteredAt = DateTimeOffset.MinValue, UpdatedAt = DateTimeOffset.MinValue,
    };

    private static ManualTask AnyTaskOf(string kind) => new()
    {
        TaskId = "any", Workflow = default, StudyId = "any", Kind = kind, AssigneeRole = TaskKind.AssigneeOf(kind),
        CreatedAt = DateTimeOffset.MinValue, DueAt = DateTimeOffset.MinValue, Status = TaskStore.Open,
    };

    private static readonly ApiAnswer Created = ApiAnswer.Json(201, "Created.");
    private static readonly ApiAnswer Accepted = ApiAnswer.Json(202, "Accepted: the work goes on in the background.");

    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        // Requests
        new(nameof(RequestsHttp.SubmitRequest), "Submit a data-subject request and start its workflow")
        {
            Description = $"The answer is the same whether or not the email belongs to a participant. The staff fields (receivedAt, channel, identityConfirmed) need a principal with one of: {string.Join(", ", Role.RequestHandlers)}; without them the route is rate-limited.",
            Body = ApiBody.Json(SubmitRequestBody.Schema(DateTimeOffset.MaxValue)),
            Answers = [ApiAnswer.Json(202, "Received: {requestId, status, statusUrl}, with Location.")],
            Problems = [(401, "unauthenticated"), (403, "forbidden"), (429, "rate-limited"), (503, "unavailable")],
        },
        new(nameof(RequestsHttp.VerifyRequest), "Prove the requester's identity with the code sent by email")
        {
            Body = ApiBody.Json(VerifyRequestBody.Schema),
            Answers = [ApiAnswer.Json(200, "Verified, or the new address confirmed: {requestId, status}.")],
            Problems = [(400, "invalid-code"), (429, "rate-limited")],
        },
        new(nameof(RequestsHttp.GetRequest), "One request: its status, due date and how it was worked out, history and allowed actions") { Roles = Role.RequestHandlers },
        new(nameof(RequestsHttp.ListRequests), "One page of requests, newest first or soonest due first")
        {
            Roles = Role.RequestHandlers,
            Query =
            [
                new("status", "Only requests in this status.") { Values = RequestStatus.All },
                new("studyId", "Only this study's requests."),
                new("type", "Only requests of this type.") { Values = RequestType.All },
                new("channel", "Only requests received this way.") { Values = RequestChannel.All },
                new("open", "true leaves closed requests out.") { Values = ["true", "false"] },
                new("order", "newest (the default) or due: soonest due first, undated last.") { Values = RequestListQuery.Orders },
                .. ApiQuery.Paging,
            ],
        },
        new(nameof(RequestActionsHttp.ActOnRequest), "A DPO's action on a request")
        {
            Roles = RequestActionsHttp.DpoOnly,
            PathValues = new Dictionary<string, IReadOnlyList<string>> { ["action"] = RequestAction.All },
            Body = ApiBody.JsonForms(RequestAction.All.Select(a => (a, RequestActionBody.For(RequestAction.KindOf(a)!.Value))), "The action's fields, {} for an action without any."),
            Answers = [Accepted],
            Problems = [(409, "action-not-possible")],
        },
        new(nameof(RequestEmailsHttp.GetRequestEmails), "The request's correspondence, oldest first") { Roles = Role.ContactReaders },
        new(nameof(RequestEmailsHttp.ResendRequestEmail), "Put an email whose sending failed back in the queue")
        {
            Roles = RequestEmailsHttp.DpoOnly,
            Answers = [ApiAnswer.Json(202, "Queued again: the email.")],
            Problems = [(409, "not-failed")],
        },

        // Tasks
        new(nameof(TasksHttp.ListTasks), "One page of manual tasks, oldest due first")
        {
            Roles = TasksHttp.StaffRoles,
            Query =
            [
                new("status", "open (the default) or completed.") { Values = [TaskStore.Open, TaskStore.Done] },
                new("requestId", "Only the tasks of this workflow: a request id, an email's intake key (MAIL-…), a disclosure id (SG-…) or retention-{studyId}."),
                .. ApiQuery.Paging,
            ],
        },
        new(nameof(TasksHttp.CompleteTask), "Complete an open task and resume the workflow waiting on it")
        {
            Roles = TasksHttp.StaffRoles,
            Description = "Only a principal with the task's own role (assigneeRole) may complete it; others get 403.",
            Body = ApiBody.JsonForms(TaskKind.Outcomes.Keys.Select(k => (k, TaskCompletionBody.For(AnyTaskOf(k), null!))), "The outcome; its values depend on the task's kind."),
            Answers = [ApiAnswer.Json(200, "Completed: the task.")],
            Problems = [(409, "conflict")],
        },

        // Studies
        new(nameof(StudyListHttp.ListStudies), "Every study, with its dates on the way to deletion") { Roles = Role.StudyReaders, Query = ApiQuery.Paging },
        new(nameof(StudyListHttp.GetStudy), "One study and the policy text it was registered with") { Roles = Role.RequestHandlers },
        new(nameof(StudyListHttp.ListPolicies), "The policy files a study can be registered with") { Roles = Role.RequestHandlers },
        new(nameof(StudiesHttp.PutStudy), "Register or update a study and the policy it runs under")
        {
            Roles = StudiesHttp.StudyRoles,
            Description = "Give one of policyFile, policy or policyText.",
            Body = ApiBody.Json(StudyBody.Schema(null!)),
            Answers = [ApiAnswer.Json(200, "Updated: the study."), ApiAnswer.Json(201, "Registered: the study.")],
        },
        new(nameof(StudiesHttp.RegisterParticipant), "Register a participant; the answer carries their pseudonymous id")
        {
            Roles = StudiesHttp.ResearcherRoles,
            Body = ApiBody.Json(ParticipantBody.Schema(AnyStudy)),
            Answers = [Created],
            Problems = [(409, "conflict")],
        },
        new(nameof(StudiesHttp.RegisterSession), "Register an interview or focus group that has taken place")
        {
            Roles = StudiesHttp.ResearcherRoles,
            Body = ApiBody.Json(SessionBody.Schema(null!, "any", DateOnly.MaxValue)),
            Answers = [Created],
        },
        new(nameof(StudiesHttp.UploadArtifact), "Upload a session's recording, transcript or notes, streamed to storage")
        {
            Roles = StudiesHttp.ResearcherRoles,
            Query = [new("kind", "What the file is.") { Required = true, Values = ArtifactKind.Uploadable }],
            Body = ApiBody.Raw("The file itself; its Content-Type must be one the kind allows and its size within the kind's limit (Artifacts:Kinds:<kind>).", ["*/*"], (400, "validation"), (400, "empty-body"), (400, "body-too-large"), (400, "upload-incomplete")),
            Answers = [ApiAnswer.Json(201, "Stored: the artifact with its size and SHA-256.")],
        },
        new(nameof(StudiesHttp.RecordPublication), "Record the date the study's report was published")
        {
            Roles = StudiesHttp.PublicationRoles,
            Body = ApiBody.Json(PublicationBody.Schema(null!, DateTimeOffset.MaxValue)),
            Answers = [ApiAnswer.Json(200, "Recorded: the study.")],
        },
        new(nameof(StudyMembersHttp.ListParticipants), "The study's participants; contact details only to Researcher and Dpo") { Roles = Role.RequestHandlers, Query = ApiQuery.Paging },
        new(nameof(StudyMembersHttp.ListSessions), "The study's sessions with their uploaded material") { Roles = Role.RequestHandlers, Query = ApiQuery.Paging },

        // Anonymisation
        new(nameof(AnonymisedTranscriptsHttp.PrepareAnonymisedTranscript), "Anonymise the session's latest transcript for ONS analysts")
        {
            Roles = AnonymisedTranscriptsHttp.Preparers,
            Answers = [Created],
            Problems = [(409, "no-transcript")],
        },
        new(nameof(AnonymisedTranscriptsHttp.ListAnonymisedTranscripts), "The study's anonymised transcripts") { Roles = Role.AnonymisedReaders, Query = ApiQuery.StudyScoped },
        new(nameof(AnonymisedTranscriptsHttp.ReadAnonymisedTranscript), "One anonymised transcript")
        {
            Roles = Role.AnonymisedReaders,
            Answers = [ApiAnswer.Text(200, "The anonymised transcript.")],
        },

        // Retention
        new(nameof(RetentionHttp.RunRetention), "Start the retention sweeps now: every due study, or the one named")
        {
            Roles = RetentionHttp.Runners,
            Body = ApiBody.Json(RetentionRunBody.Schema),
            Answers = [ApiAnswer.Json(202, "Started: {sweeps: [{studyId, instanceId, started, reason}]}.")],
        },
        new(nameof(RetentionHttp.GetRetentionPlan), "The study's retention plan: what is deleted when, and what is held") { Roles = Role.RequestHandlers },
        new(nameof(RetentionSweepHttp.GetRetentionSweep), "The study's sweep workflow as it stands") { Roles = Role.RequestHandlers },
        new(nameof(RetentionHttp.ListCertificates), "The study's deletion certificates, newest first") { Roles = RetentionHttp.DpoOnly, Query = ApiQuery.StudyScoped },
        new(nameof(RetentionHttp.GetCertificate), "A deletion certificate")
        {
            Roles = RetentionHttp.DpoOnly,
            Query = [new("format", "text for the certificate's rendering; otherwise JSON.") { Values = ["text"], Checked = false }],
            Answers = [new(200, "The certificate: JSON, or text with format=text.", ["application/json", "text/plain"])],
        },
        new(nameof(HoldsHttp.ListHolds), "Every hold of the study, in place or lifted, newest first") { Roles = Role.RequestHandlers, Query = ApiQuery.StudyScoped },
        new(nameof(HoldsHttp.PlaceHold), "Place a legal or safeguarding hold on a participant, a session or a study")
        {
            Roles = HoldsHttp.DpoOnly,
            Body = ApiBody.Json(HoldBody.Schema(DateOnly.MinValue, null!)),
            Answers = [ApiAnswer.Json(201, "Placed: the hold.")],
        },
        new(nameof(HoldsHttp.ReleaseHold), "Lift a hold")
        {
            Roles = HoldsHttp.DpoOnly,
            Answers = [ApiAnswer.Json(200, "Lifted: the hold.")],
            Problems = [(409, "conflict")],
        },
        new(nameof(SafeguardingHttp.RecordDisclosure), "Record a safeguarding disclosure (break-glass): who, why, what and to whom")
        {
            Roles = SafeguardingHttp.ResearcherOnly,
            Body = ApiBody.Json(DisclosureBody.Schema(null!)),
            Answers = [ApiAnswer.Json(201, "Recorded: {disclosureId, holdId, taskId}.")],
        },
        new(nameof(SafeguardingHttp.ListDisclosures), "The study's safeguarding records, newest first") { Roles = Role.ContactReaders, Query = ApiQuery.StudyScoped },

        // Suppliers
        new(nameof(SuppliersHttp.PutSupplier), "Register or update a supplier")
        {
            Roles = SuppliersHttp.Roles,
            Body = ApiBody.Json(SupplierBody.Schema),
            Answers = [ApiAnswer.Json(200, "Updated: the supplier."), ApiAnswer.Json(201, "Registered: the supplier.")],
        },
        new(nameof(SupplierListHttp.ListSuppliers), "Every supplier with its contract's standing") { Roles = SupplierListHttp.Roles, Query = ApiQuery.Paging },
        new(nameof(TranscriberHttp.ListAssignedRecordings), "The recordings assigned to the caller's supplier")
        {
            Roles = TranscriberHttp.TranscriberOnly,
            Description = "Only while the transcriber's supplier is current (approved, contract in force).",
        },
        new(nameof(TranscriberHttp.GetRecordingLink), "A read-only link to an assigned recording, valid for hours")
        {
            Roles = TranscriberHttp.TranscriberOnly,
            Description = "Only while the transcriber's supplier is current (approved, contract in force).",
        },
        new(nameof(TranscriberHttp.UploadTranscriptForRecording), "Upload the transcript of an assigned recording")
        {
            Roles = TranscriberHttp.TranscriberOnly,
            Description = "Only while the transcriber's supplier is current (approved, contract in force).",
            Body = ApiBody.Raw("The transcript itself, as a transcript upload takes it (Artifacts:Kinds:transcript).", ["*/*"], (400, "validation"), (400, "empty-body"), (400, "body-too-large"), (400, "upload-incomplete")),
            Answers = [ApiAnswer.Json(201, "Stored: the transcript artifact.")],
        },

        // Reporting and audit
        new(nameof(ReportsHttp.GetRequestReport), "A study's request figures over a period")
        {
            Roles = ReportsHttp.DpoOnly,
            Query =
            [
                new("studyId", "The study, by its id.") { Required = true },
                new("from", "The first UK date counted (by default a year before 'to').") { Format = "date" },
                new("to", "The last UK date counted (by default today).") { Format = "date" },
                new("format", "json (the default) or csv.") { Values = ["json", "csv"] },
            ],
            Answers = [new(200, "The report: JSON, or CSV rows figure,key,value with format=csv.", ["application/json", "text/csv"])],
        },
        new(nameof(AuditHttp.GetAudit), "Audit entries by request, by study, both or neither")
        {
            Roles = AuditHttp.DpoOnly,
            Query =
            [
                new(AuditHttp.QueryParameters[0], "A request id, or an email's intake key (MAIL-…): its entries across chains, by time."),
                new(AuditHttp.QueryParameters[1], "A study id: its chain, in order."),
                new(AuditHttp.QueryParameters[2], $"How many entries at most, 1 to {Compliance.Audit.AuditLog.MaxLimit} ({Compliance.Audit.AuditLog.DefaultLimit} if not given)."),
                new(AuditHttp.QueryParameters[3], "The continuation of the previous page of the same search."),
            ],
        },
        new(nameof(AuditHttp.VerifyAudit), "Verify every audit chain and report the first problem of each") { Roles = AuditHttp.DpoOnly },

        // Mail
        new(nameof(InboundMailHttp.ReceiveMail), "Take in one raw email, as the mailbox connector does")
        {
            Roles = InboundMailHttp.AdminOnly,
            TakesRelayKey = true,
            Description = $"An Admin principal, or a relay presenting Intake:RelayKey in {InboundMailHttp.KeyHeader}.",
            Body = ApiBody.Raw("One raw email.", ["message/rfc822"], (400, "empty-body"), (413, "body-too-large"), (415, "unsupported-media-type")),
            Answers = [ApiAnswer.Json(202, "Taken in: {intakeKey, duplicate}.")],
        },
        new(nameof(GraphNotificationsHttp.ReceiveGraphNotifications), "Microsoft Graph's change notifications for the research mailbox")
        {
            Description = "Called by Microsoft Graph. Each notification must carry the subscription's clientState.",
            Query = [new("validationToken", "Graph's handshake when a subscription is made: echoed as text/plain.") { Checked = false }],
            Body = ApiBody.Raw("Graph's change notification collection, {\"value\":[…]}.", ["application/json"], [.. ApiBody.JsonProblems, (400, "invalid-notification")]),
            Answers = [ApiAnswer.Text(200, "The validation token, echoed."), new(202, "Taken in.", [])],
            Problems = [(400, "invalid-validation-token"), (403, "invalid-client-state"), (404, "not-configured")],
        },

        // Health
        new(nameof(HealthHttp.GetHealth), "Whether the service is up (storage answers), for a load balancer or an uptime probe")
        {
            Answers = [ApiAnswer.Json(200, "Up: {\"status\":\"up\"}."), ApiAnswer.Json(503, "Down, storage does not answer: {\"status\":\"down\"}.")],
        },
        new(nameof(HealthHttp.GetHealthDetails), "Every health check with its state and reason")
        {
            Roles = HealthHttp.AdminOnly,
            Answers = [ApiAnswer.Json(200, "The checks, whatever their states (the body says them).")],
        },

        // Identity
        new(nameof(StaffSessionHttp.GetStaffSession), "Who the caller is to the API, or how to sign in")
        {
            Description = "Anyone may ask; a caller without a principal is told how to sign in.",
        },
        new(nameof(StaffSessionHttp.StartLocalSession), "A principal header for a role and a name, where the host trusts the header")
        {
            Description = "Only where the host trusts X-MS-CLIENT-PRINCIPAL (a local run); 404 everywhere else, so in Azure it does not exist.",
            Body = ApiBody.Json(StaffSessionHttp.LocalSignInSchema),
            Problems = [(404, "not-found")],
        },

        // This document
        new(nameof(OpenApiHttp.GetOpenApiDocument), "This document: the API's OpenAPI 3.1 description"),
    ];
}
