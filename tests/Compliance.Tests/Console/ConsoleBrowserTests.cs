using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Portal;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Compliance.Tests.Console;

/// <summary>
/// The staff console in Chromium, on a self-host as <c>run-local.sh</c> runs it (the demo study seeded, the principal header
/// trusted, so the console's own sign-in page is there): each role's journey, axe on every screen (WCAG 2.2 A and AA), and
/// the screenshots of docs/console.md.
/// </summary>
public sealed class ConsoleBrowserTests(PortalHost host, Browser browser) : IClassFixture<PortalHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_DPO_signs_in_finds_a_complaint_in_the_queue_and_refuses_it_with_an_exemption()
    {
        var requestId = await SubmitLetterAsync("complaint");
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;

        // Signed out, the console sends the user to sign in: locally, its own page.
        await page.GotoAsync("/console/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in locally", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-sign-in");
        await SignInAsync(page, "DPO", "Dana Park");

        // The queue: soonest due first, filtered to complaints.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Requests", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Console" })).ToContainTextAsync("Requests");
        await Expect(page.GetByText("Dana Park")).ToBeVisibleAsync();
        await page.GetByLabel("Type").SelectOptionAsync(new SelectOptionValue { Label = "Complaint" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = requestId });
        await Expect(row).ToContainTextAsync("Complaint");
        await Expect(row).ToContainTextAsync(new Regex("On time|Due soon|Overdue"));
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-queue");

        // The request: its due date in words, its timeline and the actions it allows now.
        await row.GetByRole(AriaRole.Link, new() { Name = requestId }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Request {requestId}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "How the due date was worked out" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Timeline" })).ToBeVisibleAsync();
        var refuse = page.GetByRole(AriaRole.Region, new() { Name = "Refuse" });
        await Expect(refuse).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-request");

        // Refusing without a reason or a ground: the API's messages, by field, in a focused summary.
        await refuse.GetByRole(AriaRole.Button, new() { Name = "Refuse" }).ClickAsync();
        await Expect(refuse.Locator(".error-summary")).ToBeFocusedAsync();
        await Expect(refuse.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("reason", RegexOptions.IgnoreCase) })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);

        await refuse.GetByLabel("Manifestly excessive").CheckAsync();
        await refuse.GetByLabel("Reason").FillAsync("This repeats the complaint you made last week, which we have answered.");
        await refuse.GetByRole(AriaRole.Button, new() { Name = "Refuse" }).ClickAsync();

        await Expect(page.GetByText("Refuse: done.")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Decision" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasText = "Manifestly excessive" })).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Refuse" })).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-refused");

        // The refusal letter is in the request's correspondence, with its sending state, readable on the page.
        var letter = page.GetByRole(AriaRole.Article).Filter(new() { HasText = $"Our answer to your request [Ref {requestId}]" });
        for (var tries = 0; tries < 30 && await letter.CountAsync() == 0; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Correspondence" })).ToBeVisibleAsync();
        }

        await Expect(letter).ToContainTextAsync("Waiting to be sent");
        await letter.GetByText("Read the email").ClickAsync();
        await Expect(letter.Locator("pre")).ToContainTextAsync("This repeats the complaint you made last week");
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Email: Our answer to your request" })).ToHaveCountAsync(1);
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-correspondence");

        var stored = await ViewAsync(requestId);
        stored.GetProperty("status").GetString().ShouldBe("refused");
        stored.GetProperty("decision").GetProperty("reviewer").GetString().ShouldBe("local-dpo-danapark");
    }

    [Fact]
    public async Task A_DPO_extends_a_request_and_sees_the_new_due_date_and_its_derivation()
    {
        var requestId = await SubmitLetterAsync("query");
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");
        await page.GotoAsync($"/console/requests/{requestId}");
        var due = page.GetByRole(AriaRole.Definition).Filter(new() { HasTextRegex = new Regex("On time|Due soon|Overdue") });
        var before = await due.InnerTextAsync();

        var extend = page.GetByRole(AriaRole.Region, new() { Name = "Extend the deadline" });
        await extend.GetByLabel("Reason for the extension").FillAsync("The query needs the transcriber's account of the session.");
        await extend.GetByRole(AriaRole.Button, new() { Name = "Extend the deadline" }).ClickAsync();

        await Expect(page.GetByText("Extend the deadline: done.")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Term).Filter(new() { HasText = "Extension" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "extended: three months" })).ToHaveCountAsync(1);
        (await due.InnerTextAsync()).ShouldNotBe(before, "the due date moves to three months from the clock's start");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Extend the deadline" })).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-extended");
    }

    [Fact]
    public async Task An_ONS_analyst_is_shown_no_requests_and_a_researcher_the_correspondence_but_no_actions()
    {
        var requestId = await SubmitLetterAsync("query");
        await using var analystTab = await browser.NewPageAsync(host.BaseAddress);
        await using var researcherTab = await browser.NewPageAsync(host.BaseAddress);

        await analystTab.Page.GotoAsync("/console/sign-in");
        await SignInAsync(analystTab.Page, "ONS analyst", "Olu Nwosu");
        await researcherTab.Page.GotoAsync("/console/sign-in");
        await SignInAsync(researcherTab.Page, "Researcher", "Ravi Shah");
        await researcherTab.Page.GotoAsync($"/console/requests/{requestId}");

        await Expect(analystTab.Page.GetByText("The screens for your role are in the menu above")).ToBeVisibleAsync();
        await Expect(analystTab.Page.GetByRole(AriaRole.Link, new() { Name = "Requests" })).ToHaveCountAsync(0);
        await Expect(analystTab.Page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        await Browser.AssertNoAxeViolationsAsync(analystTab.Page);
        await Expect(researcherTab.Page.GetByRole(AriaRole.Heading, new() { Name = $"Request {requestId}", Level = 1 })).ToBeVisibleAsync();
        await Expect(researcherTab.Page.GetByRole(AriaRole.Heading, new() { Name = "Timeline" })).ToBeVisibleAsync();
        await Expect(researcherTab.Page.GetByRole(AriaRole.Heading, new() { Name = "What you can do now" })).ToHaveCountAsync(0);
        await Expect(researcherTab.Page.GetByRole(AriaRole.Heading, new() { Name = "Correspondence" })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(researcherTab.Page);
    }

    [Fact]
    public async Task A_DPO_triages_an_email_seeing_why_it_came_to_them_and_the_types_found_and_a_request_of_the_chosen_type_follows()
    {
        var message = new MimeKit.MimeMessage { Subject = "My interview", MessageId = $"triage.{Guid.NewGuid():N}@example.org" };
        message.From.Add(new MimeKit.MailboxAddress("Pat Reid", $"pat.{Guid.NewGuid():N}@example.org"));
        message.To.Add(new MimeKit.MailboxAddress("Research", "mpati@research.example.org"));
        message.Body = new MimeKit.TextPart("plain") { Text = "Please withdraw my interview from the study. I would also like my transcript first." };
        using var raw = new MemoryStream();
        await message.WriteToAsync(raw, Ct);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/mail/inbound") { Content = new ByteArrayContent(raw.ToArray()) };
        post.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        post.SignIn(Role.Admin);
        using var posted = await http.SendAsync(post, Ct);
        var intakeKey = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("intakeKey").GetString()!;
        await OpenTaskAsync(intakeKey);

        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");
        await page.GotoAsync("/console/tasks");
        var task = page.GetByRole(AriaRole.Article).Filter(new() { HasText = intakeKey });
        await Expect(task.GetByRole(AriaRole.Heading, new() { Name = "Triage an email" })).ToBeVisibleAsync();
        await Expect(task).ToContainTextAsync("not surely enough to act on alone");
        await Expect(task).ToContainTextAsync("withdraw:withdraw-my-interview");
        await Expect(task.GetByLabel("Withdrawal (found in the message)")).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-triage");

        // Both wishes are ticked: each becomes a request of its own.
        await task.GetByLabel("Withdrawal (found in the message)").CheckAsync();
        await task.GetByLabel("Access (anonymised transcript) (found in the message)").CheckAsync();
        await task.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.GetByText("Completed:")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        using var tasks = await http.SendAsync(Staff.Get($"/api/tasks?status=completed&requestId={intakeKey}", Role.Dpo), Ct);
        (await tasks.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks")[0].GetProperty("outcome").GetString()
            .ShouldBe($"{Compliance.Requests.RequestType.Access}+{Compliance.Requests.RequestType.Withdraw}");
    }

    [Fact]
    public async Task A_DPO_sees_a_query_among_their_open_tasks_and_resolves_it_from_the_tasks_screen()
    {
        var requestId = await SubmitLetterAsync("query");
        await OpenTaskAsync(requestId);
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");

        await Expect(page.GetByRole(AriaRole.Complementary, new() { Name = "Your open tasks" })).ToContainTextAsync("Handle and answer");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Tasks" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tasks", Level = 1 })).ToBeVisibleAsync();
        var task = page.GetByRole(AriaRole.Article).Filter(new() { HasText = requestId });
        await Expect(task.GetByRole(AriaRole.Heading, new() { Name = "Handle and answer" })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-tasks");

        // Without an outcome the API names the field; with one the task is done and the request's workflow moves on.
        await task.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(task.Locator(".error-summary")).ToBeFocusedAsync();
        await Expect(task.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Outcome ") })).ToBeVisibleAsync();
        await task.GetByLabel("Resolved").CheckAsync();
        await task.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Handle and answer for {requestId}, resolved" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Article).Filter(new() { HasText = requestId })).ToHaveCountAsync(0);
        await Eventually.GetAsync(() => ViewAsync(requestId), view => view.GetProperty("status").GetString() == "completed", because: "the query's workflow to close it");
    }

    [Fact]
    public async Task A_DPO_places_and_lifts_a_hold_records_publication_runs_the_sweep_and_reads_its_certificate()
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var participantId = await StudyApi.RegisterParticipantAsync(http, studyId, $"held.{Guid.NewGuid():N}@example.org");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(http, studyId, "interview", "2024-05-01", null, participantId);
        await StudyApi.UploadAsync(http, studyId, sessionId, "recording", [1, 2, 3, 4], "audio/wav");
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");

        // The study, from the list: its way to deletion.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Studies" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Studies", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = studyId }).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retention timeline" })).ToBeVisibleAsync();
        await Expect(page.GetByText("once the report is published")).ToBeVisibleAsync();

        // A hold on the participant: named in the plan; then lifted.
        var holdForm = page.GetByRole(AriaRole.Region, new() { Name = "Place a hold" });
        await holdForm.GetByLabel("Participant id").FillAsync(participantId);
        await holdForm.GetByLabel("Reason").FillAsync("A complaint to the ICO about this interview is open.");
        await holdForm.GetByLabel("Review on").FillAsync(DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await holdForm.GetByRole(AriaRole.Button, new() { Name = "Place hold" }).ClickAsync();
        var hold = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Legal hold" });
        await Expect(hold).ToContainTextAsync(participantId);
        await Expect(page.GetByRole(AriaRole.Cell).Filter(new() { HasTextRegex = new Regex("^Kept by ") }).First).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-study-hold");
        await hold.GetByRole(AriaRole.Button, new() { Name = $"Lift hold on {participantId}" }).ClickAsync();
        await Expect(page.GetByText("No holds: everything is deleted on the deletion date.")).ToBeVisibleAsync();

        // Publication long enough ago that the study is due; the sweep runs and its certificate is read on the page.
        await page.GetByLabel("Publication date").FillAsync("2024-11-20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record publication" }).ClickAsync();
        await Expect(page.GetByText("Recordings, transcripts and notes deleted").Locator("..")).ToContainTextAsync("due now");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the sweep now" }).ClickAsync();
        var certificate = page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Deletion certificate DC-") });
        await Expect(certificate).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Expect(page.Locator("pre.certificate")).ToContainTextAsync(studyId);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download as JSON" })).ToHaveAttributeAsync("download", new Regex(@"^DC-.*\.json$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download as text" })).ToHaveAttributeAsync("href", new Regex("^data:text/plain"));
        await Expect(page.GetByText(new Regex(@"The last sweep \(.*\) deleted [1-9][0-9]* items?"))).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-certificate");

        // Every certificate of the study is listed and readable; a researcher's safeguarding record is shown with its hold.
        var list = page.GetByRole(AriaRole.Region, new() { Name = "Deletion certificates" });
        var listed = list.GetByRole(AriaRole.Row).Filter(new() { HasText = "retention rule" });
        await Expect(listed).ToHaveCountAsync(1);
        await listed.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(list.Locator("pre.certificate")).ToContainTextAsync(studyId);
        using (var record = await http.SendAsync(
            Staff.PostJson("/api/safeguarding", JsonSerializer.Serialize(new { studyId, scope = "participant", targetId = participantId, reason = "Risk of harm named in a follow-up call", disclosed = "Name and phone number", recipient = "health-professional" }), Role.Researcher),
            Ct))
        {
            record.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        }

        await page.ReloadAsync();
        var records = page.GetByRole(AriaRole.Region, new() { Name = "Safeguarding records" });
        await Expect(records.GetByRole(AriaRole.Article)).ToContainTextAsync("Risk of harm named in a follow-up call");
        await Expect(records.GetByRole(AriaRole.Article)).ToContainTextAsync("A health professional");
        await Browser.AssertNoAxeViolationsAsync(page);
    }

    [Fact]
    public async Task A_DPO_verifies_the_audit_log_finds_a_requests_entries_and_reads_the_studys_report()
    {
        var requestId = await SubmitLetterAsync("complaint");
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console" });

        await nav.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the audit log" }).ClickAsync();
        await Expect(page.GetByText("Intact.")).ToBeVisibleAsync();
        await page.GetByLabel("Request or email").FillAsync(requestId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "request.received" })).ToHaveCountAsync(1);
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-audit");

        await nav.GetByRole(AriaRole.Link, new() { Name = "Reporting" }).ClickAsync();
        await page.GetByLabel("Study").SelectOptionAsync(PortalHost.StudyId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^{PortalHost.StudyId}, ") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^Requests by type") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("Complaint: [1-9]") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" })).ToHaveAttributeAsync("href", new Regex("^data:text/csv;charset=utf-8,figure%2Ckey%2Cvalue"));
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-reporting");
    }

    [Fact]
    public async Task A_transcriber_of_a_current_supplier_gets_a_link_and_uploads_a_transcript_and_one_of_a_lapsed_supplier_is_refused()
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var current = "cur" + Guid.NewGuid().ToString("N")[..8];
        var lapsed = "old" + Guid.NewGuid().ToString("N")[..8];
        var recent = DateTime.UtcNow.AddDays(-30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await StudyApi.PutSupplierAsync(http, current, "Current Transcripts Ltd", "deletions@current.example", recent, "local-transcriber-tinatyper");
        await StudyApi.PutSupplierAsync(http, lapsed, "Lapsed Transcripts Ltd", "deletions@lapsed.example", "2023-01-01", "local-transcriber-leolapsed");
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var participantId = await StudyApi.RegisterParticipantAsync(http, studyId, $"t.{Guid.NewGuid():N}@example.org");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(http, studyId, "interview", "2024-05-01", current, participantId);
        var recordingId = await StudyApi.UploadAsync(http, studyId, sessionId, "recording", [1, 2, 3, 4], "audio/wav");

        // The DPO sees both suppliers' standing.
        await using var dpoTab = await browser.NewPageAsync(host.BaseAddress);
        await dpoTab.Page.GotoAsync("/console/sign-in");
        await SignInAsync(dpoTab.Page, "DPO", "Dana Park");
        await dpoTab.Page.GotoAsync("/console/suppliers");
        await Expect(dpoTab.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = lapsed })).ToContainTextAsync("Contract lapsed: suspended");
        await Expect(dpoTab.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = current })).ToContainTextAsync(new Regex(@"Current[\s\S]*in 3[0-9][0-9] days"));
        await Browser.AssertNoAxeViolationsAsync(dpoTab.Page);
        await Browser.ScreenshotAsync(dpoTab.Page, "console-suppliers");

        // The current supplier's transcriber: a link, then the transcript uploaded with its progress shown.
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "Transcriber", "Tina Typer");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Recordings" }).ClickAsync();
        var recording = page.GetByRole(AriaRole.Article).Filter(new() { HasText = recordingId });
        await recording.GetByRole(AriaRole.Button, new() { Name = $"Get a link to recording {recordingId}" }).ClickAsync();
        await Expect(recording.GetByRole(AriaRole.Link, new() { Name = $"Listen to recording {recordingId}" })).ToHaveAttributeAsync("href", new Regex("^http"));
        await recording.GetByLabel($"Transcript of recording {recordingId}").SetInputFilesAsync(new FilePayload
        {
            Name = "transcript.txt",
            MimeType = "text/plain",
            Buffer = System.Text.Encoding.UTF8.GetBytes("Interviewer: Thank you for taking part.\nParticipant: You're welcome.\n"),
        });
        await recording.GetByRole(AriaRole.Button, new() { Name = "Upload transcript" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Article).Filter(new() { HasText = recordingId })).ToContainTextAsync("TranscriptUploaded");
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-transcription");

        // The lapsed supplier's transcriber is refused, and told why.
        await using var lapsedTab = await browser.NewPageAsync(host.BaseAddress);
        await lapsedTab.Page.GotoAsync("/console/sign-in");
        await SignInAsync(lapsedTab.Page, "Transcriber", "Leo Lapsed");
        await lapsedTab.Page.GotoAsync("/console/transcription");
        await Expect(lapsedTab.Page.GetByRole(AriaRole.Heading, new() { Name = "Your supplier cannot be given recordings now" })).ToBeVisibleAsync();
        await Expect(lapsedTab.Page.GetByRole(AriaRole.Article)).ToHaveCountAsync(0);
        await Browser.AssertNoAxeViolationsAsync(lapsedTab.Page);
    }

    [Fact]
    public async Task A_researcher_registers_a_participant_and_a_session_and_uploads_a_recording_with_its_progress_shown()
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var email = $"new.{Guid.NewGuid():N}@example.org";
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "Researcher", "Ravi Shah");
        await page.GotoAsync($"/console/studies/{studyId}");

        // A participant: the API's message by field first, then registered.
        var register = page.GetByRole(AriaRole.Region, new() { Name = "Register a participant" });
        await register.GetByLabel("Name").FillAsync("Sam Okafor");
        await register.GetByLabel("Email address").FillAsync("not an address");
        await register.GetByRole(AriaRole.Button, new() { Name = "Register participant" }).ClickAsync();
        await Expect(register.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Email address must be") })).ToBeVisibleAsync();
        await register.GetByLabel("Email address").FillAsync(email);
        await register.GetByRole(AriaRole.Button, new() { Name = "Register participant" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToContainTextAsync("Sam Okafor");

        // A session with that participant, then its recording uploaded with a progress bar.
        var session = page.GetByRole(AriaRole.Region, new() { Name = "Register a session" });
        await session.GetByLabel("Date").FillAsync("2024-06-12");
        await session.GetByRole(AriaRole.Checkbox).First.CheckAsync();
        await session.GetByRole(AriaRole.Button, new() { Name = "Register session" }).ClickAsync();
        var article = page.GetByRole(AriaRole.Article).Filter(new() { HasText = "12 June 2024" });
        await Expect(article.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Interview S-") })).ToBeVisibleAsync();
        await article.GetByLabel("Kind of material").SelectOptionAsync("recording");
        await article.GetByLabel(new Regex("^File for session")).SetInputFilesAsync(new FilePayload { Name = "interview.wav", MimeType = "audio/wav", Buffer = new byte[256 * 1024] });
        await article.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(article.Locator("progress")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Article).Filter(new() { HasText = "12 June 2024" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "recording" })).ToContainTextAsync("256 KB");
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-study-material");
    }

    [Fact]
    public async Task A_researcher_anonymises_a_focus_group_for_ONS_and_an_analyst_reads_it_with_no_ones_details_in_it()
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var people = Compliance.SelfHost.Demo.DemoData.People.Skip(1).ToList();
        var ids = new List<string>();
        foreach (var (name, email, phone) in people)
        {
            using var post = Staff.PostJson($"/api/studies/{studyId}/participants", JsonSerializer.Serialize(new { name, email, phone }), Role.Researcher);
            using var created = await http.SendAsync(post, Ct);
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("participantId").GetString()!);
        }

        var sessionId = await StudyApi.RegisterSessionAsync(http, studyId, "focus-group", "2024-07-12", [.. ids]);
        await StudyApi.UploadAsync(http, studyId, sessionId, "transcript", System.Text.Encoding.UTF8.GetBytes(Compliance.SelfHost.Demo.DemoData.FocusGroupTranscript), "text/plain");

        // The researcher makes the analysts' copy from the session's transcript.
        await using var researcherTab = await browser.NewPageAsync(host.BaseAddress);
        var researcher = researcherTab.Page;
        await researcher.GotoAsync("/console/sign-in");
        await SignInAsync(researcher, "Researcher", "Ravi Shah");
        await researcher.GotoAsync($"/console/studies/{studyId}");
        var article = researcher.GetByRole(AriaRole.Article).Filter(new() { HasText = sessionId });
        await article.GetByRole(AriaRole.Button, new() { Name = "Anonymise the transcript for ONS" }).ClickAsync();
        await Expect(article.GetByRole(AriaRole.Status)).ToContainTextAsync("is ready for ONS analysts");
        await Expect(article.GetByRole(AriaRole.Row).Filter(new() { HasText = "Anonymised transcript" })).ToHaveCountAsync(1);
        await Browser.AssertNoAxeViolationsAsync(researcher);
        await Browser.ScreenshotAsync(researcher, "console-anonymise");

        // The analyst is offered that screen alone, and reads the session with every participant's details gone.
        await using var analystTab = await browser.NewPageAsync(host.BaseAddress);
        var analyst = analystTab.Page;
        await analyst.GotoAsync("/console/sign-in");
        await SignInAsync(analyst, "ONS analyst", "Olu Nwosu");
        var menu = analyst.GetByRole(AriaRole.Navigation, new() { Name = "Console" });
        await Expect(menu.GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await menu.GetByRole(AriaRole.Link, new() { Name = "Anonymised transcripts" }).ClickAsync();
        await Expect(analyst.GetByRole(AriaRole.Heading, new() { Name = "Anonymised transcripts", Level = 1 })).ToBeVisibleAsync();
        await analyst.GetByLabel("Study", new() { Exact = true }).SelectOptionAsync(studyId);
        await analyst.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await analyst.GetByRole(AriaRole.Row).Filter(new() { HasText = sessionId }).GetByRole(AriaRole.Button).ClickAsync();
        var text = analyst.GetByTestId("anonymised-text");
        await Expect(text).ToContainTextAsync("Training matters more than anything.");
        var shown = await analyst.Locator("main").InnerTextAsync();
        foreach (var (name, email, phone) in people)
        {
            shown.ShouldNotContain(name.Split(' ')[1], Case.Insensitive);
            shown.ShouldNotContain(email, Case.Insensitive);
            shown.ShouldNotContain(phone);
        }

        await Browser.AssertNoAxeViolationsAsync(analyst);
        await Browser.ScreenshotAsync(analyst, "console-anonymised");
    }

    [Fact]
    public async Task A_researcher_registers_a_study_under_its_own_policy_told_by_field_what_is_wrong_and_then_edits_it()
    {
        var studyId = StudyApi.NewStudyId();
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "Researcher", "Ravi Shah");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Studies" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Region, new() { Name = "Register a study" });
        await Expect(form.GetByLabel("Policy file", new() { Exact = true })).ToContainTextAsync("mpati");

        // Its own policy starts as a copy of the file; a date the policy cannot read is named by its field.
        await form.GetByLabel("Study id").FillAsync(studyId);
        await form.GetByLabel("Title", new() { Exact = true }).FillAsync("PSMPS follow-up");
        await form.GetByLabel("End of data collection").FillAsync("2024-08-30");
        await form.GetByLabel("Its own policy, written here").CheckAsync();
        var text = form.GetByLabel("The policy (YAML or JSON)");
        await Expect(text).ToHaveValueAsync(new Regex("cutOff: 2024-09-02"));
        var yaml = await text.InputValueAsync();
        await text.FillAsync(yaml.Replace("cutOff: 2024-09-02", "cutOff: 2 Sept", StringComparison.Ordinal));
        await form.GetByRole(AriaRole.Button, new() { Name = "Register the study" }).ClickAsync();
        await Expect(form.Locator(".error-summary")).ToBeFocusedAsync();
        await Expect(form.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^The policy's withdrawal.cutOff ") })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "console-study-register");

        await text.FillAsync(yaml.Replace("cutOff: 2024-09-02", "cutOff: 2024-10-01", StringComparison.Ordinal));
        await form.GetByRole(AriaRole.Button, new() { Name = "Register the study" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Status)).ToContainTextAsync($"Registered: PSMPS follow-up ({studyId}), policy inline");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = studyId });
        await Expect(row).ToContainTextAsync("30 August 2024");

        // On the study's page the same form edits it, starting from what is registered.
        await row.GetByRole(AriaRole.Link, new() { Name = "PSMPS follow-up" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Region, new() { Name = "Edit the study" });
        await Expect(edit.GetByLabel("The policy (YAML or JSON)")).ToHaveValueAsync(new Regex("cutOff: 2024-10-01"));
        await edit.GetByLabel("Title", new() { Exact = true }).FillAsync("PSMPS follow-up, phase 2");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "PSMPS follow-up, phase 2", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);

        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var stored = await http.SendAsync(Staff.Get($"/api/studies/{studyId}", Role.Dpo), Ct);
        var detail = await stored.Content.ReadFromJsonAsync<JsonElement>(Ct);
        detail.GetProperty("study").GetProperty("title").GetString().ShouldBe("PSMPS follow-up, phase 2");
        detail.GetProperty("policyText").GetString()!.ShouldContain("cutOff: 2024-10-01");
    }

    [Fact]
    public async Task Signing_out_forgets_the_principal_and_a_new_tab_must_sign_in_again()
    {
        await using var tab = await browser.NewPageAsync(host.BaseAddress);
        var page = tab.Page;
        await page.GotoAsync("/console/sign-in");
        await SignInAsync(page, "DPO", "Dana Park");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Requests", Level = 1 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in locally", Level = 1 })).ToBeVisibleAsync();
        (await page.EvaluateAsync<string?>("() => sessionStorage.getItem('compliance.principal')")).ShouldBeNull();
        await page.GotoAsync("/console/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in locally", Level = 1 })).ToBeVisibleAsync();
    }

    private static async Task SignInAsync(IPage page, string role, string name)
    {
        await page.GetByLabel(role, new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>A request the DPO entered from a letter (its clock starts at once), for the demo study.</summary>
    private async Task<string> SubmitLetterAsync(string type)
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var submit = Staff.PostJson(
            "/api/requests",
            JsonSerializer.Serialize(new { studyId = PortalHost.StudyId, type, email = $"letter.{Guid.NewGuid():N}@example.org", channel = "letter" }),
            Role.Dpo);
        using var response = await http.SendAsync(submit, Ct);
        response.EnsureSuccessStatusCode();
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;
        await Eventually.GetAsync(() => ViewAsync(requestId), view => view.GetProperty("dueDate").ValueKind == JsonValueKind.String, because: "the clock to start");
        return requestId;
    }

    /// <summary>Waits until the request's workflow has opened a task for the DPO.</summary>
    private async Task OpenTaskAsync(string requestId)
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        await Eventually.GetAsync(
            async () =>
            {
                using var response = await http.SendAsync(Staff.Get($"/api/tasks?requestId={requestId}", Role.Dpo), Ct);
                return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks").GetArrayLength();
            },
            count => count > 0,
            because: "the workflow to open a task");
    }

    private async Task<JsonElement> ViewAsync(string requestId)
    {
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var response = await http.SendAsync(Staff.Get($"/api/requests/{requestId}", Role.Dpo), Ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
