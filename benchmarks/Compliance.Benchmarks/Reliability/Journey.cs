using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Functions.Mail;
using Compliance.Functions.Maintenance;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;

namespace Compliance.Benchmarks.Reliability;

/// <summary>
/// One participant's request in the soak, from its first step to its end, as <see cref="RequestJourney"/> drives it in
/// the fault tests, with two more shapes: a code entered late, and a request made by email whose code comes back in a
/// reply, each message delivered by the relay up to three times.
/// </summary>
internal sealed class Journey
{
    /// <summary>The shapes, taken in turn: every request type, codes at once and late, and one by email.</summary>
    private static readonly (string Kind, string Type, bool Late)[] Shapes =
    [
        (RequestType.Access, RequestType.Access, false),
        (RequestType.Withdraw, RequestType.Withdraw, false),
        (RequestType.EraseContact, RequestType.EraseContact, false),
        (RequestType.RectifyContact, RequestType.RectifyContact, false),
        (RequestType.OptOut, RequestType.OptOut, false),
        ("opt-out, code late", RequestType.OptOut, true),
        ("object, code late", RequestType.Objection, true),
        (RequestType.Complaint, RequestType.Complaint, false),
        (RequestType.Query, RequestType.Query, false),
        (MailKind, RequestType.OptOut, false),
    ];

    private const string MailKind = "opt-out by email, reply with the code";

    /// <summary>Whether journey <paramref name="index"/> comes by email, so its participant belongs to the mailbox's study (<c>Intake:StudyId</c>).</summary>
    public static bool ByEmail(int index) => Shapes[index % Shapes.Length].Kind == MailKind;

    private Journey(int index, RequestJourney.Subject subject)
    {
        Index = index;
        Subject = subject;
        (Kind, Type, _) = Shapes[index % Shapes.Length];
    }

    public int Index { get; }

    public string Kind { get; }

    public string Type { get; }

    public RequestJourney.Subject Subject { get; }

    public string? RequestId { get; private set; }

    /// <summary>The intake keys of the messages a mail journey sent, and how many times each was delivered.</summary>
    public List<(string IntakeKey, int Deliveries)> Mail { get; } = [];

    public string? Error { get; private set; }

    public TimeSpan Took { get; private set; }

    /// <summary>Runs journey <paramref name="index"/> of the soak; a failure is recorded on it, not thrown.</summary>
    public static async Task<Journey> RunAsync(int index, RequestJourney.Subject subject, RequestApi api, HttpClient http, DurableTaskClient durable, int seed)
    {
        var journey = new Journey(index, subject);
        var random = new Random(seed + index);
        var late = Shapes[index % Shapes.Length].Late ? TimeSpan.FromSeconds(5 + random.Next(40)) : TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        try
        {
            if (journey.Kind == MailKind)
            {
                await journey.ByEmailAsync(api, http, durable, random);
            }
            else
            {
                journey.RequestId = await RequestJourney.DriveToLastStepAsync(api, journey.Type, subject, late);
                await RequestJourney.FinishAsync(api, journey.Type, journey.RequestId);
            }

            var workflow = await FinishedAsync(durable, journey.RequestId!);
            if (workflow.RuntimeStatus != OrchestrationRuntimeStatus.Completed && !EndedFinished(workflow))
            {
                journey.Error = $"workflow {workflow.RuntimeStatus}: {workflow.FailureDetails?.ErrorMessage}";
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            journey.Error = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }

        journey.Took = clock.Elapsed;
        return journey;
    }

    /// <summary>Counts in <paramref name="report"/> what of this journey's work was lost or done twice.</summary>
    public async Task ReconcileAsync(RequestApi api, SoakBenchmark.Storage storage, string taskHub, Reconciliation report)
    {
        var name = $"journey {Index} ({Kind})";
        if (Error is not null)
        {
            report.Lost($"{name} did not finish: {Error}");
        }

        // The mailbox's study holds every email journey's requests: this one's are those from its participant's address.
        var stored = (await api.Store.ListAsync(null, Subject.StudyId, CancellationToken.None))
            .Where(r => Kind != MailKind || r.RequesterEmail == Subject.Email)
            .ToList();
        if (stored.Count > 1)
        {
            report.Duplicated($"{name}: {stored.Count} requests stored for one");
        }

        var requestId = RequestId ?? (stored.Count > 0 ? stored[0].RequestId : null);
        if (requestId is null)
        {
            report.Lost($"{name}: no request stored");
            return;
        }

        var engine = await RequestJourney.EngineEventsAsync(storage.Tables.GetTableClient(taskHub + "History"), requestId);
        report.Expect(engine.Count(e => e == "ExecutionStarted"), 1, $"{name}: workflow starts");
        // A workflow the watchdog had schedule a lost activity again ends terminated by it once its work is done (the lost call
        // stays open in the engine): that is its one completion.
        report.Expect(engine.Count(e => e is "ExecutionCompleted" or "ExecutionTerminated"), 1, $"{name}: workflow completions");
        var request = await api.Store.GetAsync(requestId, CancellationToken.None);
        if (request.Status != RequestStatus.Completed)
        {
            report.Lost($"{name}: request {request.Status}, not completed");
        }

        var audit = await new AuditLog(storage.Tables, TimeProvider.System).QueryAsync(requestId, null, CancellationToken.None);
        foreach (var twice in audit.GroupBy(e => $"{e.Action} {string.Join(',', e.Details.Select(d => $"{d.Key}={d.Value}"))}").Where(g => g.Count() > 1))
        {
            report.Duplicated($"{name}: audited {twice.Count()} times: {twice.Key}");
        }

        report.Expect(audit.Count(e => e.Action == AuditActions.RequestCompleted), 1, $"{name}: {AuditActions.RequestCompleted} entries");
        if (!audit.Any(e => e.Action == RequestJourney.EffectOf(Type)))
        {
            report.Lost($"{name}: no {RequestJourney.EffectOf(Type)} in the audit");
        }

        var emails = await api.EmailKeysAsync(requestId);
        foreach (var missing in RequestJourney.ExpectedEmails(Type, Subject.SupplierId).Except(emails))
        {
            report.Lost($"{name}: no {missing} email");
        }

        foreach (var extra in emails.Except(RequestJourney.ExpectedEmails(Type, Subject.SupplierId)))
        {
            report.Duplicated($"{name}: an email {extra} it should not have");
        }

        foreach (var (intakeKey, deliveries) in Mail)
        {
            var received = (await new AuditLog(storage.Tables, TimeProvider.System).QueryAsync(intakeKey, null, CancellationToken.None)).Count(e => e.Action == AuditActions.MailReceived);
            report.Expect(received, 1, $"{name}: {AuditActions.MailReceived} of a message delivered {deliveries} times");
        }

        // The participant's research data: a withdrawal deletes it, nothing else touches it (the mailbox's study is
        // counted once for all its participants, by the soak).
        if (Kind == MailKind)
        {
            return;
        }

        var research = await SoakBenchmark.ResearchDataCountAsync(storage.Blobs, Subject.StudyId);
        if (Type == RequestType.Withdraw && research > 0)
        {
            report.Lost($"{name}: {research} recordings and transcripts left after the withdrawal");
        }
        else if (Type != RequestType.Withdraw && research < 2)
        {
            report.WronglyDeleted($"{name}: {2 - research} of the participant's recording and transcript deleted by a {Type}");
        }
    }

    /// <summary>
    /// An opt-out by email from the held address, delivered up to three times; the code is read from its email and sent
    /// back in a reply above the quoted original, also delivered up to three times.
    /// </summary>
    private async Task ByEmailAsync(RequestApi api, HttpClient http, DurableTaskClient durable, Random random)
    {
        var first = await DeliverAsync(http, MailIntakeTests.Compose(Subject.Email, "Contact", "Please do not contact me again about the study.", null), 1 + random.Next(3));
        var intake = await FinishedAsync(durable, first);
        if (intake.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidOperationException($"the intake of {first} {intake.RuntimeStatus}: {intake.FailureDetails} {intake.SerializedOutput}");
        }

        RequestId = intake.ReadOutputAs<MailIntakeResult>()!.RequestIds.Single();
        var codeEmail = await api.EmailAsync(RequestId, "verification-code-1", TimeSpan.FromMinutes(2));
        var code = await api.CodeAsync(RequestId);
        var quoted = "> " + codeEmail.TextBody!.Replace("\n", "\n> ", StringComparison.Ordinal);
        await DeliverAsync(http, MailIntakeTests.Compose(Subject.Email, "Re: " + codeEmail.Subject, $"Here it is: {code}\n\nThanks\n\n{quoted}", codeEmail.MessageId), 1 + random.Next(3));
    }

    /// <summary>
    /// The instance once it has finished (3 minutes at most); terminated is not finished, as the watchdog starts again an
    /// instance it terminated for a stall. A read that fails (the engine's own status read meets a
    /// storage fault and the client sees an RPC error) is read again, as a status page would be: it changes nothing.
    /// </summary>
    private static async Task<OrchestrationMetadata> FinishedAsync(DurableTaskClient durable, string instanceId) =>
        (await Eventually.GetAsync(
            async () =>
            {
                try
                {
                    return await durable.GetInstanceAsync(instanceId, true);
                }
                catch (Grpc.Core.RpcException)
                {
                    return null;
                }
            },
            i => i is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed } || EndedFinished(i),
            TimeSpan.FromMinutes(3),
            $"{instanceId} to finish"))!;

    /// <summary>A request workflow the watchdog ended once its work was done (a lost activity call it scheduled again stayed open).</summary>
    private static bool EndedFinished(OrchestrationMetadata? instance) =>
        instance is { RuntimeStatus: OrchestrationRuntimeStatus.Terminated } && instance.SerializedOutput?.Contains(WorkflowWatchdog.FinishedReason, StringComparison.Ordinal) == true;

    /// <summary>Posts the message to the intake route as the relay does, <paramref name="times"/> times at once; returns its intake key.</summary>
    private async Task<string> DeliverAsync(HttpClient http, byte[] raw, int times)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, times).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mail/inbound") { Content = new ByteArrayContent(raw) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("message/rfc822");
            request.Headers.Add(InboundMailHttp.KeyHeader, TestEnvironment.RelayKey);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<InboundMailResponse>())!;
        }));
        var key = answers.Select(a => a.IntakeKey).Distinct().Single();
        Mail.Add((key, times));
        return key;
    }
}
