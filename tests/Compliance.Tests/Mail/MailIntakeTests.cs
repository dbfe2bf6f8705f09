using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Functions.Mail;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tasks;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail.Intake;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>
/// Raw email through the one intake path (<c>POST /api/mail/inbound</c>, then the <c>MailIntake</c> workflow) on the mail
/// test host: the corpus's messages end as their manifest says, deliveries are deduplicated, replies reach their requests,
/// staff triage what the classifier cannot tell, and nothing stored is lost.
/// </summary>
public sealed class MailIntakeTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every corpus message but the replies, whose requests exist only in their own tests below.</summary>
    public static TheoryData<string> NonReplies => [.. IntakeCorpus.Entries.Where(e => e.Value.Outcome != "reply").Select(e => e.Key).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(NonReplies))]
    public async Task A_corpus_message_posted_by_a_relay_ends_as_its_manifest_says(string file)
    {
        var expected = IntakeCorpus.Entries[file];
        var mail = await MailAsync();

        var posted = await mail.PostAsync(IntakeCorpus.Raw(file));

        var stored = (await new InboundMailStore(env.Blobs).FindAsync(posted.IntakeKey, Ct))!;
        stored.ShouldNotBeNull("the message is kept unchanged, whatever becomes of it");
        switch (expected.Outcome)
        {
            case "new":
            {
                var result = await mail.FinishedAsync(posted.IntakeKey);
                result.Action.ShouldBe(MailIntakeAction.NewRequests);
                var requests = await Task.WhenAll(result.RequestIds.Select(id => new RequestStore(env.Tables).GetAsync(id, Ct)));
                requests.Select(r => r.Type).ShouldBe(expected.Types!, ignoreOrder: true);
                requests.ShouldAllBe(r => r.Channel == RequestChannel.Email && r.ReceivedAt == stored.ReceivedAt, "the clock starts on the day the email was received");
                break;
            }

            case "triage":
                (await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailTriage)).GetProperty("assigneeRole").GetString().ShouldBe(Role.Dpo);
                break;
            case "ignore":
            {
                var result = await mail.FinishedAsync(posted.IntakeKey);
                result.Action.ShouldBe(MailIntakeAction.Ignore);
                result.Reason.ShouldBe(expected.Reason);
                result.RequestIds.ShouldBeEmpty();
                (await AuditOfAsync(posted.IntakeKey)).ShouldContain(e => e.Action == AuditActions.MailIgnored && e.Details["reason"] == expected.Reason);
                break;
            }

            case "unparseable":
                await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailQuarantine);
                (await AuditOfAsync(posted.IntakeKey)).ShouldContain(e => e.Action == AuditActions.MailQuarantined && e.Details["reason"] == expected.Reason);
                break;
            default:
                throw new InvalidOperationException($"Unknown outcome {expected.Outcome} for {file}.");
        }
    }

    [Fact]
    public async Task A_message_delivered_three_times_is_stored_once_and_makes_one_request()
    {
        var mail = await MailAsync();
        var raw = Compose($"rep.{Guid.NewGuid():N}@example.org", "Opt out", "Please do not contact me again about the study.");

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => mail.PostAsync(raw)));

        answers.Select(a => a.IntakeKey).Distinct().ShouldHaveSingleItem();
        answers.Count(a => !a.Duplicate).ShouldBe(1, "one delivery stored it; the others found it there");
        var key = answers[0].IntakeKey;
        var result = await mail.FinishedAsync(key);
        result.RequestIds.ShouldHaveSingleItem();
        (await AuditOfAsync(key)).Count(e => e.Action == AuditActions.MailReceived).ShouldBe(1);
        (await AuditOfAsync(key)).Count(e => e.Action == AuditActions.MailRequestCreated).ShouldBe(1);
    }

    [Fact]
    public async Task A_participants_email_makes_a_request_whose_code_goes_to_the_held_address_and_a_reply_with_it_verifies()
    {
        var mail = await MailAsync();
        var held = $"held.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, TestEnvironment.StudyId, held, "Robin Held");

        var posted = await mail.PostAsync(Compose(held, "My transcript", "Hello, could you send me a copy of my interview transcript please?"));
        var requestId = (await mail.FinishedAsync(posted.IntakeKey)).RequestIds.ShouldHaveSingleItem();
        var api = new RequestApi(mail.Http, env.Tables, env.Blobs, mail.Durable);
        await api.WaitForStatusAsync(requestId, RequestStatus.AwaitingVerification);
        var codeEmail = await api.EmailAsync(requestId, "verification-code-1");
        codeEmail.To.Mailboxes.Single().Address.ShouldBe(held);
        var code = await api.CodeAsync(requestId);

        // The participant replies to the code email with the code above the quoted original.
        var reply = Compose(held, "Re: " + codeEmail.Subject, $"Here it is: {code}\n\nThanks,\nRobin\n\n> {codeEmail.TextBody!.Replace("\n", "\n> ", StringComparison.Ordinal)}", inReplyTo: codeEmail.MessageId);
        var replied = await mail.PostAsync(reply);

        (await mail.FinishedAsync(replied.IntakeKey)).Action.ShouldBe(MailIntakeAction.Reply);
        var verified = await api.WaitForAsync(requestId, r => r.ClockStartedAt is not null, "the clock to start once the code is verified");
        verified.VerifiedAt.ShouldNotBeNull();
        (await api.Store.GetHistoryAsync(requestId, Ct)).ShouldContain(h => h.Event == "reply-verified");

        // Both messages are in the request's correspondence, in and out in time order, as staff read it.
        using var read = await mail.Http.SendAsync(Staff.Get($"/api/requests/{requestId}/emails", Role.Dpo), Ct);
        var emails = (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("emails").EnumerateArray().ToList();
        var incoming = emails.Where(e => e.GetProperty("direction").GetString() == "in").ToList();
        incoming.Select(e => e.GetProperty("messageKey").GetString()).ShouldBe([posted.IntakeKey, replied.IntakeKey]);
        incoming[0].GetProperty("state").GetString().ShouldBe(EmailStates.Received);
        incoming[0].GetProperty("text").GetString()!.ShouldContain("copy of my interview transcript");
        incoming[1].GetProperty("subject").GetString().ShouldStartWith("Re: ");
        emails.Select(e => e.GetProperty("writtenAt").GetDateTimeOffset()).ShouldBeInOrder();
        emails.Select(e => e.GetProperty("messageKey").GetString()).ShouldContain("verification-code-1");
    }

    [Fact]
    public async Task An_answer_to_a_clarification_resumes_the_clock_and_staff_are_asked_to_read_it()
    {
        var mail = await MailAsync();
        var api = new RequestApi(mail.Http, env.Tables, env.Blobs, mail.Durable);
        var from = $"asker.{Guid.NewGuid():N}@example.org";
        var requestId = await api.SubmitAsync(new { studyId = TestEnvironment.StudyId, type = "query", email = from });
        await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock");
        await api.ActOkAsync(requestId, RequestAction.Clarify, new { question = "Which letter do you mean?" });
        await api.WaitForStatusAsync(requestId, RequestStatus.Paused);
        var question = (await api.EmailKeysAsync(requestId)).Single(k => k.StartsWith("clarification-", StringComparison.Ordinal));
        var asked = await api.EmailAsync(requestId, question);

        var replied = await mail.PostAsync(Compose(from, "Re: " + asked.Subject, "The one dated 3 March, about the follow-up interview.", inReplyTo: asked.MessageId));

        var resumed = await api.WaitForStatusAsync(requestId, RequestStatus.InProgress);
        resumed.Pauses.ShouldHaveSingleItem().To.ShouldNotBeNull();
        var task = await mail.OpenTaskAsync(replied.IntakeKey, TaskKind.MailReply);
        (await AuditOfAsync(replied.IntakeKey)).ShouldContain(e => e.Action == AuditActions.MailReply && e.Details["requestId"] == requestId && e.Details["outcome"] == MailReplyOutcome.Resumed);

        // Once staff have read it, the message's intake work is done.
        await mail.CompleteTaskAsync(task, TaskOutcome.Done);
        (await mail.FinishedAsync(replied.IntakeKey)).RequestIds.ShouldBe([requestId]);
    }

    [Fact]
    public async Task A_message_the_classifier_cannot_place_waits_for_staff_who_confirm_its_type_and_its_clock_starts_at_receipt()
    {
        var mail = await MailAsync();
        var posted = await mail.PostAsync(Compose($"vague.{Guid.NewGuid():N}@example.org", "Hello", "Can someone give me a ring about the research sometime?"));
        var task = await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailTriage);
        var stored = (await new InboundMailStore(env.Blobs).FindAsync(posted.IntakeKey, Ct))!;

        using (var wrong = await mail.CompleteTaskResponseAsync(task, "something-else"))
        {
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        await mail.CompleteTaskAsync(task, RequestType.Query);

        var requestId = (await mail.FinishedAsync(posted.IntakeKey)).RequestIds.ShouldHaveSingleItem();
        var request = await new RequestStore(env.Tables).GetAsync(requestId, Ct);
        request.Type.ShouldBe(RequestType.Query);
        request.ReceivedAt.ShouldBe(stored.ReceivedAt);
    }

    [Fact]
    public async Task A_triage_task_and_its_audit_say_why_which_types_were_found_and_by_which_rules_and_a_request_names_its_rules()
    {
        // A clear withdrawal with a weak second wish: the second is not sure enough to act on, so a person decides.
        var mail = await MailAsync();
        var unsure = await mail.PostAsync(Compose($"unsure.{Guid.NewGuid():N}@example.org", "My interview", "Please withdraw my interview from the study. I would also like my transcript first."));
        var task = await mail.OpenTaskAsync(unsure.IntakeKey, TaskKind.MailTriage);

        task.GetProperty("reason").GetString().ShouldBe(TriageWhy.Uncertain);
        task.GetProperty("suggested").EnumerateArray().Select(t => t.GetString()).ShouldBe([RequestType.Withdraw, RequestType.Access]);
        var rules = task.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).ToList();
        rules.ShouldBe(["withdraw:frame-remove-my-contribution", "withdraw:withdraw-my-interview", "access:my-transcript"]);
        // The task and the audit entry are written by separate steps: under load the task can be seen first.
        var audit = await Eventually.GetAsync(() => AuditOfAsync(unsure.IntakeKey), a => a.Any(e => e.Action == AuditActions.MailTriage), because: "the triage to be audited");
        var triage = audit.Single(e => e.Action == AuditActions.MailTriage);
        triage.Details["why"].ShouldBe(TriageWhy.Uncertain);
        triage.Details["offered"].ShouldBe($"{RequestType.Withdraw}+{RequestType.Access}");
        triage.Details["rules"].Split('+').ShouldBe(rules);

        // A sure one is acted on at once, and its request's audit names the rules that found its type.
        var sure = await mail.PostAsync(Compose($"sure.{Guid.NewGuid():N}@example.org", "Contact", "Please stop contacting me about phase 2."));
        (await mail.FinishedAsync(sure.IntakeKey)).RequestIds.ShouldHaveSingleItem();
        var created = (await AuditOfAsync(sure.IntakeKey)).Single(e => e.Action == AuditActions.MailRequestCreated);
        created.Details["type"].ShouldBe(RequestType.OptOut);
        created.Details["rules"].Split('+').ShouldAllBe(r => r.StartsWith(RequestType.OptOut + ":", StringComparison.Ordinal));
        created.Details["rules"].ShouldContain("opt-out:stop-contacting-me");
    }

    [Fact]
    public async Task Staff_who_find_two_wishes_in_a_triaged_message_tick_both_and_get_two_requests()
    {
        var mail = await MailAsync();
        var posted = await mail.PostAsync(Compose($"two.{Guid.NewGuid():N}@example.org", "My interview", "Please withdraw my interview from the study. I would also like my transcript first."));
        var task = await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailTriage);

        // A type named twice, or "not a request" beside a type, is no outcome; two distinct types are.
        foreach (var bad in new[] { $"{RequestType.Withdraw}+{RequestType.Withdraw}", $"{TaskOutcome.NotARequest}+{RequestType.Access}", $"{RequestType.Access}+", "access+deletion" })
        {
            using var refused = await mail.CompleteTaskResponseAsync(task, bad);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("several request types joined by '+'");
        }

        await mail.CompleteTaskAsync(task, $"{RequestType.Access}+{RequestType.Withdraw}");

        var result = await mail.FinishedAsync(posted.IntakeKey);
        result.RequestIds.Count.ShouldBe(2);
        var store = new RequestStore(env.Tables);
        var types = new List<string>();
        foreach (var id in result.RequestIds)
        {
            types.Add((await store.GetAsync(id, Ct)).Type);
        }

        types.ShouldBe([RequestType.Access, RequestType.Withdraw]);
        (await AuditOfAsync(posted.IntakeKey)).Where(e => e.Action == AuditActions.MailRequestCreated).Select(e => e.Details["rules"]).ShouldAllBe(r => r == "staff-triage");
    }

    [Fact]
    public async Task A_message_staff_find_asks_for_nothing_makes_no_request()
    {
        var mail = await MailAsync();
        var posted = await mail.PostAsync(Compose($"vague.{Guid.NewGuid():N}@example.org", "Hello", "Just saying hello, hope the research goes well."));
        await mail.CompleteTaskAsync(await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailTriage), TaskOutcome.NotARequest);

        var result = await mail.FinishedAsync(posted.IntakeKey);
        result.RequestIds.ShouldBeEmpty();
        (await AuditOfAsync(posted.IntakeKey)).ShouldContain(e => e.Action == AuditActions.MailIgnored && e.Details["reason"] == TaskOutcome.NotARequest);
    }

    [Fact]
    public async Task A_30_MB_message_is_kept_whole_and_quarantined_for_staff()
    {
        var mail = await MailAsync();
        var message = new MimeMessage { MessageId = $"big.{Guid.NewGuid():N}@example.org", Subject = "Recording of my interview" };
        message.From.Add(new MailboxAddress("Big Sender", $"big.{Guid.NewGuid():N}@example.org"));
        message.To.Add(new MailboxAddress("Research", TestEnvironment.MailboxAddress));
        var body = new BodyBuilder { TextBody = "Please delete this recording I made of my own interview." };
        body.Attachments.Add("interview.wav", new byte[22 * 1024 * 1024], ContentType.Parse("audio/wav"));
        message.Body = body.ToMessageBody();
        var raw = ToBytes(message);
        raw.Length.ShouldBeGreaterThan(30_000_000, "base64 grows the 22 MB attachment past 30 MB");

        var posted = await mail.PostAsync(raw);

        await mail.OpenTaskAsync(posted.IntakeKey, TaskKind.MailQuarantine);
        (await AuditOfAsync(posted.IntakeKey)).ShouldContain(e => e.Action == AuditActions.MailQuarantined && e.Details["reason"] == InboundReadReason.TooLarge);
        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailInbound).GetBlobClient(InboundMailStore.BlobNameFor(posted.IntakeKey));
        (await blob.GetPropertiesAsync(cancellationToken: Ct)).Value.ContentLength.ShouldBe(raw.Length);
    }

    [Fact]
    public async Task A_message_stored_by_a_host_that_died_before_starting_its_work_is_processed_when_a_host_starts()
    {
        // The catch-up starts every stored message that was never started, so it runs on an Azurite of its own: on the
        // shared one it would start other tests' messages too, in its own task hub.
        await using var storage = await OwnStorage.StartAsync(Ct);
        await storage.CopyStudyAsync(env);

        // What a host killed between storing a message and starting its work leaves: the message, and no work.
        var raw = Compose($"crash.{Guid.NewGuid():N}@example.org", "Complaint", "I want to complain about how my data was handled.");
        var stored = await new InboundMailStore(storage.Blobs).StoreAsync(raw, InboundMailHttp.Source, DateTimeOffset.UtcNow, Ct);
        stored.Started.ShouldBeFalse();

        // A host starting up catches up with it (and would again on its schedule).
        await using var host = await storage.StartHostAsync(env, new Dictionary<string, string?> { ["Mail:FromAddress"] = TestEnvironment.MailboxAddress, [FunctionSwitches.SettingFor(nameof(MailCatchUp.StartStoredMail))] = "false" });
        var durable = host.Services.GetRequiredService<DurableTaskClient>();

        var instance = await Eventually.GetAsync(() => durable.GetInstanceAsync(stored.IntakeKey, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the stored message's intake to run");
        var result = instance!.ReadOutputAs<MailIntakeResult>()!;
        result.Action.ShouldBe(MailIntakeAction.NewRequests);
        (await new RequestStore(storage.Tables).GetAsync(result.RequestIds.ShouldHaveSingleItem(), Ct)).Type.ShouldBe(RequestType.Complaint);
        (await new InboundMailStore(storage.Blobs).FindAsync(stored.IntakeKey, Ct))!.Started.ShouldBeTrue("the catch-up leaves it alone from now on");
    }

    [Fact]
    public async Task A_host_killed_while_it_processes_a_message_finishes_it_exactly_once_after_a_restart()
    {
        var taskHub = TestEnvironment.NewTaskHubName();
        var raw = Compose($"killed.{Guid.NewGuid():N}@example.org", "Withdraw", "I would like to withdraw from the study and have my interview deleted.");
        var key = InboundMailStore.IntakeKeyOf(raw);
        var first = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
        try
        {
            using var http = TestEnvironment.ClientFor(first.BaseAddress);
            using var response = await http.SendAsync(Post(raw, role: Role.Admin), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            await first.KillAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
        var instances = env.Tables.GetTableClient(taskHub + "Instances");
        await Eventually.GetAsync(
            async () => (await instances.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(key, string.Empty, cancellationToken: Ct)) is { HasValue: true } row ? row.Value!.GetString("RuntimeStatus") : null,
            s => s == "Completed",
            TimeSpan.FromMinutes(1),
            "the message's intake to finish after the restart");
        var audit = await AuditOfAsync(key);
        audit.Count(e => e.Action == AuditActions.MailReceived).ShouldBe(1);
        var created = audit.Where(e => e.Action == AuditActions.MailRequestCreated).ShouldHaveSingleItem();
        var request = await new RequestStore(env.Tables).GetAsync(created.Details["requestId"], Ct);
        request.Type.ShouldBe(RequestType.Withdraw);
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct)).Count(e => e.Action == AuditActions.RequestReceived).ShouldBe(1);
    }

    [Fact]
    public async Task The_intake_route_takes_raw_mail_from_admins_and_relays_only()
    {
        var mail = await MailAsync();
        var raw = Compose($"route.{Guid.NewGuid():N}@example.org", "Opt out", "Please stop contacting me.");

        using (var anonymous = await mail.Http.SendAsync(Post(raw), Ct))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var researcher = await mail.Http.SendAsync(Post(raw, role: Role.Researcher), Ct))
        {
            researcher.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using (var wrongKey = await mail.Http.SendAsync(Post(raw, key: "not-the-key"), Ct))
        {
            wrongKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var json = await mail.Http.SendAsync(Post(raw, role: Role.Admin, contentType: "application/json"), Ct))
        {
            json.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }

        using (var empty = await mail.Http.SendAsync(Post([], role: Role.Admin), Ct))
        {
            empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using var admin = await mail.Http.SendAsync(Post(raw, role: Role.Admin), Ct);
        admin.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await admin.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("intakeKey").GetString().ShouldBe(InboundMailStore.IntakeKeyOf(raw));
    }

    private async Task<MailHost> MailAsync() => new(await env.MailHostAsync());

    private async Task<IReadOnlyList<AuditEntry>> AuditOfAsync(string intakeKey) =>
        await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(intakeKey, null, Ct);

    /// <summary>A plain-text message from <paramref name="from"/> to the research mailbox, as the raw bytes a relay posts.</summary>
    public static byte[] Compose(string from, string subject, string text, string? inReplyTo = null)
    {
        var message = new MimeMessage { MessageId = $"{Guid.NewGuid():N}@mail.example.org", Subject = subject, Date = DateTimeOffset.UtcNow };
        message.From.Add(new MailboxAddress(null, from));
        message.To.Add(new MailboxAddress("Research team", TestEnvironment.MailboxAddress));
        if (inReplyTo is not null)
        {
            message.InReplyTo = inReplyTo;
            message.References.Add(inReplyTo);
        }

        message.Body = new TextPart("plain") { Text = text };
        return ToBytes(message);
    }

    private static byte[] ToBytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    internal static HttpRequestMessage Post(byte[] raw, string? role = null, string? key = null, string contentType = "message/rfc822")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/mail/inbound") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (role is not null)
        {
            request.SignIn(role);
        }

        if (key is not null)
        {
            request.Headers.Add(InboundMailHttp.KeyHeader, key);
        }

        return request;
    }

    /// <summary>The mail test host, posted to as a relay would, and its intake workflows and tasks.</summary>
    private sealed class MailHost(SelfHostApplication host)
    {
        public HttpClient Http { get; } = TestEnvironment.ClientFor(host.BaseAddress);

        public DurableTaskClient Durable => host.Services.GetRequiredService<DurableTaskClient>();

        public async Task<InboundMailResponse> PostAsync(byte[] raw)
        {
            using var response = await Http.SendAsync(Post(raw, key: TestEnvironment.RelayKey), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
            return (await response.Content.ReadFromJsonAsync<InboundMailResponse>(Ct))!;
        }

        public async Task<MailIntakeResult> FinishedAsync(string intakeKey)
        {
            var instance = await Eventually.GetAsync(() => Durable.GetInstanceAsync(intakeKey, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), $"the intake of {intakeKey} to finish");
            instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, instance.FailureDetails?.ToString());
            return instance.ReadOutputAs<MailIntakeResult>()!;
        }

        public async Task<JsonElement> OpenTaskAsync(string intakeKey, string kind)
        {
            var page = await Eventually.GetAsync(
                async () =>
                {
                    using var response = await Http.SendAsync(Staff.Get($"/api/tasks?requestId={intakeKey}", Role.Dpo), Ct);
                    response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
                    return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                },
                p => p.GetProperty("tasks").EnumerateArray().Any(t => t.GetProperty("kind").GetString() == kind),
                because: $"a {kind} task for {intakeKey}");
            return page.GetProperty("tasks").EnumerateArray().First(t => t.GetProperty("kind").GetString() == kind);
        }

        public Task<HttpResponseMessage> CompleteTaskResponseAsync(JsonElement task, string outcome) =>
            Http.SendAsync(Staff.PostJson($"/api/tasks/{Uri.EscapeDataString(task.GetProperty("taskId").GetString()!)}/complete", JsonSerializer.Serialize(new { outcome }), task.GetProperty("assigneeRole").GetString()!), Ct);

        public async Task CompleteTaskAsync(JsonElement task, string outcome)
        {
            using var response = await CompleteTaskResponseAsync(task, outcome);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        }
    }
}
