using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>
/// The outbox sender against real Azurite and the real SMTP transport (MailKit), with a loopback SMTP server as the mail
/// system. Each test writes its messages under a request of its own and sends only that request's prefix, so other tests'
/// mail is left alone; the timer, which sends the whole container, runs on an Azurite of its own.
/// </summary>
public sealed class OutboxSenderTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BlobContainerClient Container => ContainerOf(env.Blobs);

    [Fact]
    public async Task A_pending_message_is_sent_once_as_stored_with_its_threading_headers_and_marked_sent_with_the_transport()
    {
        await using var smtp = new LoopbackSmtpServer();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var request = await NewRequestAsync();
        var acknowledgement = await WriteAsync(request, RequestEmails.AcknowledgementKey);
        var reminder = await WriteAsync(request, "verification-reminder");
        var sender = NewSender(smtp, clock);

        var first = await sender.SendDueAsync(Prefix(request), Ct);
        clock.Advance(TimeSpan.FromHours(2));
        var second = await sender.SendDueAsync(Prefix(request), Ct);

        first.ShouldBe(new OutboxRun(Sent: 2, Retrying: 0, Failed: 0, Lost: 0));
        second.ShouldBe(new OutboxRun(0, 0, 0, 0));
        smtp.Received.Count.ShouldBe(2);
        foreach (var (blobName, stored) in new[] { acknowledgement, reminder })
        {
            var storedMessage = Parse(stored);
            var mail = smtp.Received.Single(m => Parse(m.Data).MessageId == storedMessage.MessageId);

            // SMTP carries lines ending CRLF (RFC 5321); the blob was written with LF. Otherwise the bytes are the stored ones:
            // the outbox stores messages 7-bit clean, so MailKit re-encodes nothing.
            Lf(mail.Data).ShouldBe(Lf(stored));
            mail.RcptTo.ShouldBe([request.RequesterEmail]);

            var metadata = await MetadataAsync(blobName);
            metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
            metadata[OutboxMetadata.Transport].ShouldBe("smtp");
            metadata[OutboxMetadata.Attempts].ShouldBe("1");
            metadata[OutboxMetadata.Audited].ShouldBe("true");
            DateTimeOffset.Parse(metadata[OutboxMetadata.SentAt], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(clock.GetUtcNow() - TimeSpan.FromHours(2));
            metadata.Values.ShouldAllBe(v => !v.Contains('@', StringComparison.Ordinal));
        }

        // The reply threads under the acknowledgement, as stored.
        var sentReminder = Parse(smtp.Received.Single(m => m.Text.Contains("verification-reminder@", StringComparison.Ordinal)).Data);
        var ackId = $"{request.RequestId}.{RequestEmails.AcknowledgementKey}@natcen.ac.uk";
        sentReminder.InReplyTo.ShouldBe(ackId);
        sentReminder.References.ShouldBe([ackId]);

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        var sent = audit.Where(e => e.Action == AuditActions.MailSent).ToList();
        sent.Select(e => e.Details["messageKey"]).ShouldBe([RequestEmails.AcknowledgementKey, "verification-reminder"], ignoreOrder: true);
        sent.ShouldAllBe(e => e.Details["transport"] == "smtp" && e.StudyId == TestEnvironment.StudyId && e.Actor == AuditActors.System);
    }

    [Fact]
    public async Task Two_senders_running_at_once_send_each_message_once()
    {
        await using var smtp = new LoopbackSmtpServer { DataDelay = TimeSpan.FromMilliseconds(100) };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var request = await NewRequestAsync();
        for (var i = 1; i <= 12; i++)
        {
            await WriteAsync(request, $"clarification-{i}");
        }

        var runs = await Task.WhenAll(NewSender(smtp, clock).SendDueAsync(Prefix(request), Ct), NewSender(smtp, clock).SendDueAsync(Prefix(request), Ct));

        smtp.Received.Count.ShouldBe(12);
        smtp.Received.Select(m => Parse(m.Data).MessageId).Distinct().Count().ShouldBe(12);
        runs.Sum(r => r.Sent).ShouldBe(12);
        runs.Sum(r => r.Lost).ShouldBeGreaterThan(0, "both senders must have tried some of the same messages, or this proves nothing");
        foreach (var name in await ListAsync(request))
        {
            (await MetadataAsync(name))[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
        }

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        audit.Count(e => e.Action == AuditActions.MailSent).ShouldBe(12);
    }

    [Fact]
    public async Task A_message_refused_twice_is_retried_after_growing_waits_with_jitter_and_sent_once()
    {
        await using var smtp = new LoopbackSmtpServer();
        smtp.RefuseNext(2);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var request = await NewRequestAsync();
        var (blobName, _) = await WriteAsync(request, "outcome");
        var sender = NewSender(smtp, clock, new OutboxOptions { FirstRetryAfter = TimeSpan.FromMinutes(1), MaxRetryAfter = TimeSpan.FromHours(1) });

        // Attempt 1 is refused: the next waits between half of one minute and one minute.
        (await sender.SendDueAsync(Prefix(request), Ct)).Retrying.ShouldBe(1);
        var afterFirst = await MetadataAsync(blobName);
        afterFirst[OutboxMetadata.State].ShouldBe(OutboxMetadata.Pending);
        afterFirst[OutboxMetadata.Attempts].ShouldBe("1");
        afterFirst[OutboxMetadata.LastError].ShouldBe("SmtpCommandException:451");
        NextAttempt(afterFirst).ShouldBeInRange(clock.GetUtcNow() + TimeSpan.FromSeconds(30), clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        // Not before its time.
        clock.Advance(TimeSpan.FromSeconds(29));
        (await sender.SendDueAsync(Prefix(request), Ct)).ShouldBe(new OutboxRun(0, 0, 0, 0));
        smtp.Refused.ShouldBe(1);

        // Attempt 2, refused: the wait doubles, to between one and two minutes.
        clock.Advance(TimeSpan.FromSeconds(31));
        (await sender.SendDueAsync(Prefix(request), Ct)).Retrying.ShouldBe(1);
        var afterSecond = await MetadataAsync(blobName);
        afterSecond[OutboxMetadata.Attempts].ShouldBe("2");
        NextAttempt(afterSecond).ShouldBeInRange(clock.GetUtcNow() + TimeSpan.FromMinutes(1), clock.GetUtcNow() + TimeSpan.FromMinutes(2));
        clock.Advance(TimeSpan.FromSeconds(59));
        (await sender.SendDueAsync(Prefix(request), Ct)).ShouldBe(new OutboxRun(0, 0, 0, 0));

        // Attempt 3 goes through, once.
        clock.Advance(TimeSpan.FromSeconds(61));
        (await sender.SendDueAsync(Prefix(request), Ct)).Sent.ShouldBe(1);
        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(Prefix(request), Ct);

        smtp.Refused.ShouldBe(2);
        smtp.Received.Count.ShouldBe(1);
        var sent = await MetadataAsync(blobName);
        sent[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
        sent[OutboxMetadata.Attempts].ShouldBe("3");
        sent.ShouldNotContainKey(OutboxMetadata.NextAttemptAt);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        audit.Count(e => e.Action == AuditActions.MailSent).ShouldBe(1);
        audit.ShouldNotContain(e => e.Action == AuditActions.MailSendFailed);
    }

    [Fact]
    public async Task A_message_that_is_always_refused_is_failed_after_the_last_attempt_audited_and_given_to_the_DPO_as_a_task()
    {
        await using var smtp = new LoopbackSmtpServer();
        smtp.RefuseNext(int.MaxValue);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var request = await NewRequestAsync();
        var (blobName, _) = await WriteAsync(request, "outcome");
        var options = new OutboxOptions { MaxAttempts = 3, FirstRetryAfter = TimeSpan.FromMinutes(1), MaxRetryAfter = TimeSpan.FromMinutes(5) };
        var sender = NewSender(smtp, clock, options);

        var runs = new List<OutboxRun>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await sender.SendDueAsync(Prefix(request), Ct));
            clock.Advance(options.MaxRetryAfter);
        }

        runs.Select(r => (r.Retrying, r.Failed)).ShouldBe([(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]);
        smtp.Refused.ShouldBe(3);
        smtp.Received.ShouldBeEmpty();
        var metadata = await MetadataAsync(blobName);
        metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Failed);
        metadata[OutboxMetadata.Attempts].ShouldBe("3");
        metadata[OutboxMetadata.Audited].ShouldBe("true");
        metadata.ShouldContainKey(OutboxMetadata.FailedAt);

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        var failed = audit.ShouldHaveSingleItem();
        failed.Action.ShouldBe(AuditActions.MailSendFailed);
        failed.StudyId.ShouldBe(TestEnvironment.StudyId);
        failed.Details["messageKey"].ShouldBe("outcome");
        failed.Details["transport"].ShouldBe("smtp");
        failed.Details["attempts"].ShouldBe("3");
        failed.Details["error"].ShouldBe("SmtpCommandException:451");

        var task = await new TaskStore(env.Tables).FindAsync(TaskStore.IdFor(request.RequestId, TaskKind.MailSendFailed), Ct);
        task.ShouldNotBeNull();
        task.Status.ShouldBe(TaskStore.Open);
        task.AssigneeRole.ShouldBe(Compliance.Identity.Role.Dpo);
        task.StudyId.ShouldBe(TestEnvironment.StudyId);
    }

    [Fact]
    public async Task A_claim_left_by_a_sender_that_died_mid_send_is_taken_over_after_the_claim_timeout_and_sent()
    {
        await using var smtp = new LoopbackSmtpServer();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var request = await NewRequestAsync();
        var (blobName, stored) = await WriteAsync(request, "outcome");
        var options = new OutboxOptions { ClaimTimeout = TimeSpan.FromMinutes(10) };
        var sender = NewSender(smtp, clock, options);

        // What a sender that died after claiming the message leaves behind.
        var blob = Container.GetBlobClient(blobName);
        var crashed = await MetadataAsync(blobName);
        crashed[OutboxMetadata.State] = OutboxMetadata.Sending;
        crashed[OutboxMetadata.ClaimedAt] = clock.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        crashed[OutboxMetadata.Attempts] = "1";
        await blob.SetMetadataAsync(crashed, cancellationToken: Ct);

        clock.Advance(options.ClaimTimeout - TimeSpan.FromSeconds(1));
        (await sender.SendDueAsync(Prefix(request), Ct)).ShouldBe(new OutboxRun(0, 0, 0, 0));
        smtp.Received.ShouldBeEmpty();

        clock.Advance(TimeSpan.FromSeconds(1));
        (await sender.SendDueAsync(Prefix(request), Ct)).Sent.ShouldBe(1);
        await sender.SendDueAsync(Prefix(request), Ct);

        Lf(smtp.Received.ShouldHaveSingleItem().Data).ShouldBe(Lf(stored));
        var metadata = await MetadataAsync(blobName);
        metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
        metadata[OutboxMetadata.Attempts].ShouldBe("2");
    }

    [Fact]
    public async Task With_no_transport_configured_messages_stay_pending_and_untouched()
    {
        // The shared host has no Mail:Transport: the default, none.
        var sender = env.Host.Services.GetRequiredService<OutboxSender>();
        var request = await NewRequestAsync();
        var (blobName, _) = await WriteAsync(request, RequestEmails.AcknowledgementKey);
        var before = await Container.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: Ct);

        var run = await sender.SendDueAsync(Prefix(request), Ct);

        sender.Transport.ShouldBeNull();
        run.ShouldBe(new OutboxRun(0, 0, 0, 0));
        var after = await Container.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: Ct);
        after.Value.ETag.ShouldBe(before.Value.ETag);
        after.Value.Metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Pending);
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_host_with_Mail_Transport_smtp_sends_the_outbox_on_its_timer_through_the_keyed_smtp_transport()
    {
        // The timer sends every due message of its container, so this host and its outbox have an Azurite of their own:
        // on the shared one it would send (and audit as sent) every other test's pending mail.
        await using var smtp = new LoopbackSmtpServer();
        await using var storage = await OwnStorage.StartAsync(Ct);
        var request = await NewRequestAsync(storage.Tables);
        var (blobName, _) = await WriteAsync(request, RequestEmails.AcknowledgementKey, storage.Blobs);

        await using var host = await storage.StartHostAsync(env, new Dictionary<string, string?>
        {
            ["Mail:Transport"] = "smtp",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "none",
            ["OutboxSendSchedule"] = "* * * * * *",
            [FunctionSwitches.SettingFor(nameof(Compliance.Functions.Mail.OutboxSend.SendOutbox))] = "false",
        });

        host.Services.GetRequiredService<OutboxSender>().Transport.ShouldBeOfType<SmtpMailTransport>();
        var metadata = await Eventually.GetAsync(() => MetadataAsync(blobName, storage.Blobs), m => m.GetValueOrDefault(OutboxMetadata.Audited) == "true", because: "the timer to send the message");
        metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
        metadata[OutboxMetadata.Transport].ShouldBe("smtp");
        smtp.Received.Count(m => m.Text.Contains($"<{request.RequestId}.", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task A_host_with_Mail_Transport_graph_but_no_graph_transport_registered_does_not_start()
    {
        var error = await Should.ThrowAsync<OptionsValidationException>(() => env.StartHostAsync(
            true,
            new Dictionary<string, string?> { ["Mail:Transport"] = "graph" },
            services =>
            {
                // This build may or may not have the Graph connector: take its transport out, as in a build without it.
                foreach (var graph in services.Where(d => d.IsKeyedService && d.ServiceType == typeof(IMailTransport) && Equals(d.ServiceKey, "graph")).ToList())
                {
                    services.Remove(graph);
                }
            }));

        error.Message.ShouldContain("Mail:Transport is 'graph'");
        error.Message.ShouldContain("no mail transport of that name is registered");
    }

    [Fact]
    public async Task A_failed_email_is_shown_to_staff_who_may_read_it_resent_by_the_DPO_once_and_then_sent_and_audited()
    {
        await using var smtp = new LoopbackSmtpServer();
        smtp.RefuseNext(1);
        var request = await NewRequestAsync();
        var (blobName, _) = await WriteAsync(request, "outcome");
        var sender = NewSender(smtp, TimeProvider.System, new OutboxOptions { MaxAttempts = 1 });
        (await sender.SendDueAsync(Prefix(request), Ct)).Failed.ShouldBe(1);
        var emailsPath = $"/api/requests/{request.RequestId}/emails";
        var resendPath = $"{emailsPath}/outcome/resend";

        using var read = await env.Http.SendAsync(Staff.Get(emailsPath, Role.Researcher), Ct);
        var email = (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("emails").EnumerateArray().ShouldHaveSingleItem();
        email.GetProperty("messageKey").GetString().ShouldBe("outcome");
        email.GetProperty("state").GetString().ShouldBe(EmailStates.Failed);
        email.GetProperty("lastError").GetString().ShouldBe("SmtpCommandException:451");
        email.GetProperty("to").GetString()!.ShouldContain(request.RequesterEmail);
        email.GetProperty("text").GetString().ShouldNotBeNullOrWhiteSpace();
        foreach (var role in new[] { Role.Admin, Role.OnsAnalyst, Role.Transcriber })
        {
            using var refused = await env.Http.SendAsync(Staff.Get(emailsPath, role), Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{role} may not see contact details");
        }

        using var byResearcher = await env.Http.SendAsync(Staff.PostJson(resendPath, "{}", Role.Researcher), Ct);
        using var resent = await env.Http.SendAsync(Staff.PostJson(resendPath, "{}", Role.Dpo), Ct);
        using var again = await env.Http.SendAsync(Staff.PostJson(resendPath, "{}", Role.Dpo), Ct);
        using var unknown = await env.Http.SendAsync(Staff.PostJson($"{emailsPath}/no-such-email/resend", "{}", Role.Dpo), Ct);

        byResearcher.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        resent.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict, "it is pending now, not failed");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var pending = await MetadataAsync(blobName);
        pending[OutboxMetadata.State].ShouldBe(OutboxMetadata.Pending);
        pending[OutboxMetadata.Attempts].ShouldBe("0");
        pending.ShouldNotContainKey(OutboxMetadata.FailedAt);
        pending.ShouldNotContainKey(OutboxMetadata.Audited);

        (await sender.SendDueAsync(Prefix(request), Ct)).Sent.ShouldBe(1);
        (await sender.SendDueAsync(Prefix(request), Ct)).ShouldBe(new OutboxRun(0, 0, 0, 0));
        smtp.Received.Count.ShouldBe(1);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        audit.Select(e => e.Action).ShouldBe([AuditActions.MailSendFailed, AuditActions.MailResendRequested, AuditActions.MailSent]);
        audit[1].Actor.ShouldBe("staff-1");
        audit[1].Details["messageKey"].ShouldBe("outcome");
    }

    [Fact]
    public async Task An_emails_HTML_is_given_to_staff_without_script_style_image_form_or_link_address()
    {
        var request = await NewRequestAsync();
        using var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Research team", "research@example.org"));
        message.To.Add(MailboxAddress.Parse(request.RequesterEmail));
        message.Subject = "HTML only";
        message.Body = new TextPart("html")
        {
            Text = """<p onclick="steal()" style="color:red">Dear participant</p><script>alert(1)</script><img src="https://tracker.example/p.gif"><a href="https://evil.example/x">your status</a><form action="https://evil.example"><input name="code"></form>""",
        };
        (await new Outbox(env.Blobs).TryWriteAsync(Outbox.BlobNameFor(request.RequestId, "html-only"), message, Outbox.MetadataFor(request.RequestId, "outcome"), Ct)).ShouldBeTrue();

        using var read = await env.Http.SendAsync(Staff.Get($"/api/requests/{request.RequestId}/emails", Role.Dpo), Ct);

        var html = (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("emails")[0].GetProperty("html").GetString()!;
        html.ShouldContain("Dear participant");
        html.ShouldContain("your status");
        foreach (var banned in new[] { "<script", "alert(", "onclick", "style=", "<img", "tracker.example", "href=", "evil.example", "<form", "<input" })
        {
            html.ShouldNotContain(banned, Case.Insensitive);
        }
    }

    private OutboxSender NewSender(LoopbackSmtpServer smtp, TimeProvider clock, OutboxOptions? options = null) => new(
        env.Blobs,
        new SmtpMailTransport(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "none" })),
        new AuditLog(env.Tables, TimeProvider.System),
        new RequestStore(env.Tables),
        new TaskStore(env.Tables),
        Options.Create(options ?? new OutboxOptions()),
        clock,
        NullLogger<OutboxSender>.Instance);

    /// <summary>A request of the shared study with no workflow behind it, so no other mail is written under it.</summary>
    private async Task<DataSubjectRequestRecord> NewRequestAsync(TableServiceClient? tables = null)
    {
        var now = DateTimeOffset.UtcNow;
        var request = new DataSubjectRequestRecord
        {
            RequestId = RequestId.New(now),
            StudyId = TestEnvironment.StudyId,
            Type = RequestType.Access,
            Channel = "web",
            ReceivedAt = now,
            Status = RequestStatus.Received,
            RequesterEmail = $"zoe.{Guid.NewGuid():N}@example.org",
            RequesterName = "Zoë Ørsted",
            EnteredBy = AuditActors.Participant,
        };
        (await new RequestStore(tables ?? env.Tables).TryCreateAsync(request, Ct)).ShouldBeTrue();
        return request;
    }

    /// <summary>Writes a request email as the workflow does (built by RequestEmails, create-only) and returns the stored bytes.</summary>
    private async Task<(string BlobName, byte[] Stored)> WriteAsync(DataSubjectRequestRecord request, string messageKey, BlobServiceClient? blobs = null)
    {
        blobs ??= env.Blobs;
        var emails = env.Host.Services.GetRequiredService<RequestEmails>();
        var (_, policy) = await env.Host.Services.GetRequiredService<StudyPolicies>().GetAsync(request.StudyId, Ct);
        var (kind, message) = messageKey == RequestEmails.AcknowledgementKey
            ? await emails.AcknowledgementAsync(request, policy, DateTimeOffset.UtcNow, Ct)
            : (EmailKind.VerificationReminder, emails.Simple(request, policy, EmailKind.VerificationReminder, messageKey, EmailRecipient.Held(HeldParticipant(request)), DateTimeOffset.UtcNow));
        using (message)
        {
            var blobName = Outbox.BlobNameFor(request.RequestId, messageKey);
            (await new Outbox(blobs).TryWriteAsync(blobName, message, Outbox.MetadataFor(request.RequestId, kind), Ct)).ShouldBeTrue();
            var stored = (await ContainerOf(blobs).GetBlobClient(blobName).DownloadContentAsync(Ct)).Value.Content.ToArray();
            return (blobName, stored);
        }
    }

    /// <summary>A participant held at the request's address under a name that is not ASCII, so a header needs encoding.</summary>
    private static Participant HeldParticipant(DataSubjectRequestRecord request) => new()
    {
        StudyId = request.StudyId,
        ParticipantId = "P-ZOEORSTED",
        Name = "Zo\u00eb \u00d8rsted",
        Email = request.RequesterEmail,
        NoticeVersion = "PSMPS-QUAL-2024",
        RegisteredAt = request.ReceivedAt,
    };

    private static BlobContainerClient ContainerOf(BlobServiceClient blobs) => blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);

    private static string Prefix(DataSubjectRequestRecord request) => $"requests/{request.RequestId}/";

    private async Task<IReadOnlyList<string>> ListAsync(DataSubjectRequestRecord request) => await new Outbox(env.Blobs).ListAsync(Prefix(request), Ct);

    private async Task<Dictionary<string, string>> MetadataAsync(string blobName, BlobServiceClient? blobs = null) =>
        new((await ContainerOf(blobs ?? env.Blobs).GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: Ct)).Value.Metadata, StringComparer.OrdinalIgnoreCase);

    private static DateTimeOffset NextAttempt(Dictionary<string, string> metadata) =>
        DateTimeOffset.Parse(metadata[OutboxMetadata.NextAttemptAt], System.Globalization.CultureInfo.InvariantCulture);

    private static MimeMessage Parse(byte[] data) => MimeMessage.Load(new MemoryStream(data), Ct);

    private static string Lf(byte[] data) => Encoding.UTF8.GetString(data).Replace("\r\n", "\n", StringComparison.Ordinal);
}
