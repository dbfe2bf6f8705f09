using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.SelfHost.Demo;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Compliance.Tests.Policies;

/// <summary>
/// A second study, registered under a notice of its own (<c>Data/other-notice.yaml</c>: another controller, processor, DPO,
/// mailbox, team and periods), speaks in its own name: every email sent for it, to its participants and to its staff, and
/// its access package, name its organisations and team, and nothing of the MPATI study's.
/// </summary>
public sealed class SecondNoticeTests(TestEnvironment env)
{
    private const string SessionLongAgo = "2024-07-10";

    private static readonly string MpatiPath = Path.Combine(Repository.Root, "policies", "mpati.yaml");
    private static readonly string OtherNoticePath = Path.Combine(Repository.Root, "tests", "Compliance.Tests", "Policies", "Data", "other-notice.yaml");
    private static readonly StudyPolicy Mpati = PolicyReader.Read(File.ReadAllText(MpatiPath), "mpati.yaml");
    private static readonly StudyPolicy Other = PolicyReader.Read(File.ReadAllText(OtherNoticePath), "other-notice.yaml");

    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// What only the MPATI study says, read from its policy: its notice, study and team, its controller's and processor's
    /// names and addresses, its mailbox, its DPO's organisation, address and email, and the names its anonymisation removes.
    /// Left out: the DPO's <c>name</c> (the role's title, "Data Protection Officer", which the templates use for every study)
    /// and the ICO's details (one regulator for both notices).
    /// </summary>
    private static IReadOnlyList<string> MpatiWords { get; } =
    [
        Mpati.Notice.Title, Mpati.Notice.Version, Mpati.Study.Name, Mpati.Team.Name,
        Mpati.Controller.Name, Mpati.Controller.Email!, Mpati.Processor.Name, Mpati.Processor.Email!,
        Mpati.ResearchMailbox, Mpati.Dpo.Organisation, Mpati.Dpo.Address, Mpati.Dpo.Email,
        .. Mpati.RedactionList,
    ];

    [Fact]
    public void The_second_notice_is_a_policy_file_the_catalogue_reads_beside_MPATIs_and_shares_none_of_its_words()
    {
        var folder = Directory.CreateTempSubdirectory("policies-");
        try
        {
            File.Copy(MpatiPath, Path.Combine(folder.FullName, "mpati.yaml"));
            File.Copy(OtherNoticePath, Path.Combine(folder.FullName, "other-notice.yaml"));

            var catalog = PolicyCatalog.Load(folder.FullName);

            catalog.Names.ShouldBe(["mpati", "other-notice"], ignoreOrder: true);
            catalog.TryGet("other-notice", out var other, out _).ShouldBeTrue();
            other!.Team.Name.ShouldBe(Other.Team.Name);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        // Otherwise the test below could not tell the two apart.
        SentMail.Occurring(File.ReadAllText(OtherNoticePath), MpatiWords).ShouldBeEmpty();
        Other.Team.Name.ShouldNotBe(Mpati.Team.Name);
        Other.ResearchMailbox.ShouldNotBe(Mpati.ResearchMailbox);
        Other.Dpo.Email.ShouldNotBe(Mpati.Dpo.Email);
        Other.Retention.ShouldNotBe(Mpati.Retention);
        Other.Verification.ShouldNotBe(Mpati.Verification);
    }

    [Fact]
    public async Task Every_portal_page_of_a_study_under_another_notice_speaks_in_its_name_and_none_in_MPATIs()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyAsync(env.Http, File.ReadAllText(OtherNoticePath));
        using var portal = new Portal.PortalClient(env.Host.BaseAddress);
        var form = $"/studies/{studyId}/request";
        var (sent, _) = await portal.SubmitAsync(form, form, [new("type", RequestType.Access), new("email", $"p.{Guid.NewGuid():N}@example.org")]);
        var requestId = System.Web.HttpUtility.ParseQueryString(sent.Headers.Location!.Query)["reference"]!;
        var statusPath = await env.Host.Services.GetRequiredService<StatusLinks>().PathForAsync(requestId, Ct);

        foreach (var path in new[] { $"/studies/{studyId}", form, sent.Headers.Location!.PathAndQuery, statusPath })
        {
            var (response, html) = await portal.GetAsync(path);
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, path);
            SentMail.Occurring(System.Net.WebUtility.HtmlDecode(html), MpatiWords).ShouldBeEmpty($"{path} says nothing of the MPATI study's");
            html.ShouldContain(System.Net.WebUtility.HtmlEncode(Other.Team.Name), Case.Sensitive, path);
            html.ShouldContain(Other.ResearchMailbox, Case.Insensitive, path);
        }
    }

    [Fact]
    public async Task Every_email_sent_for_a_study_under_another_notice_speaks_in_its_name_and_none_in_MPATIs()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyAsync(env.Http, File.ReadAllText(OtherNoticePath));
        var alexEmail = $"alex.{Guid.NewGuid():N}@example.org";
        var samEmail = $"sam.{Guid.NewGuid():N}@example.org";
        var alex = await StudyApi.RegisterParticipantAsync(env.Http, studyId, alexEmail, DemoData.People[0].Name);
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, samEmail, DemoData.People[1].Name);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");

        // Access, entered by the DPO with identity confirmed; an opt-out from the web, verified by the code sent to the held
        // address; a complaint from an address no participant has; a withdrawal the DPO refuses.
        var access = await api.SubmitConfirmedAsync(studyId, RequestType.Access, alexEmail);
        var optOut = await api.SubmitAsync(new { studyId, type = RequestType.OptOut, email = samEmail });
        var complaint = await api.SubmitAsync(new { studyId, type = RequestType.Complaint, email = $"c.{Guid.NewGuid():N}@example.org", details = "You wrote to me twice." });
        var withdrawal = await api.SubmitConfirmedAsync(studyId, RequestType.Withdraw, samEmail);
        using (var verified = await api.VerifyAsync(optOut, await api.CodeAsync(optOut)))
        {
            verified.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await api.CompleteTaskAsync(complaint, TaskKind.DpoReview, TaskOutcome.Resolved);
        await api.OpenTaskAsync(withdrawal, TaskKind.Approval);
        await api.ActOkAsync(withdrawal, "refuse", new { reason = "The interviews have already been analysed.", exemption = RefusalExemption.Research });
        string[] requests = [access, optOut, complaint, withdrawal];
        foreach (var requestId in requests)
        {
            await api.WaitForWorkflowAsync(requestId);
        }

        // The study's own emails to its DPO and researchers: no publication date past its promise, then a coming deletion.
        (await WarningsAt(DateTimeOffset.UtcNow).SendDueWarningsAsync(studyId, Ct)).ShouldBe(1, "the publication promise alert");
        var publishedOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10).AddMonths(-6);
        await PublishAsync(studyId, publishedOn);
        (await WarningsAt(DateTimeOffset.UtcNow).SendDueWarningsAsync(studyId, Ct)).ShouldBe(1, "the retention warning, six months after publication by this notice");

        var sent = new List<(string Name, MimeMessage Message)>();
        foreach (var prefix in requests.Select(r => $"requests/{r}/").Append($"studies/{studyId}/"))
        {
            sent.AddRange(await SentMail.ReadAllAsync(api.Outbox, prefix));
        }

        var alert = sent.Single(s => s.Name.StartsWith(StudyEmails.BlobNameFor(studyId, "publication-promise-alert-")[..^".eml".Length], StringComparison.Ordinal)).Name;
        sent.Select(s => s.Name).ShouldBe(
            [
                Outbox.BlobNameFor(access, EmailKind.Acknowledgement), Outbox.BlobNameFor(access, "outcome"),
                Outbox.BlobNameFor(optOut, EmailKind.Acknowledgement), Outbox.BlobNameFor(optOut, "verification-code-1"), Outbox.BlobNameFor(optOut, "outcome"),
                Outbox.BlobNameFor(complaint, EmailKind.Acknowledgement), Outbox.BlobNameFor(complaint, "outcome"),
                Outbox.BlobNameFor(withdrawal, EmailKind.Acknowledgement), Outbox.BlobNameFor(withdrawal, "refusal"),
                alert, StudyEmails.BlobNameFor(studyId, $"retention-warning-{publishedOn.AddMonths(6):yyyy-MM-dd}"),
            ],
            ignoreOrder: true);
        foreach (var (name, message) in sent)
        {
            SentMail.Occurring(SentMail.Readable(message, withThreadingHeaders: false), MpatiWords).ShouldBeEmpty($"{name} says nothing of the MPATI study's");
            var from = message.From.Mailboxes.ShouldHaveSingleItem();
            from.Name.ShouldBe(Other.Team.Name, name);
            from.Address.ShouldBe(Other.ResearchMailbox, name);
            message.TextBody!.ShouldContain(Other.Team.Name, customMessage: $"{name} is signed by the study's own team");
            message.HtmlBody!.ShouldContain(WebUtility.HtmlEncode(Other.Team.Name), customMessage: name);
        }

        // Where the DPO is named, it is this notice's DPO.
        foreach (var message in new[] { Outbox.BlobNameFor(complaint, EmailKind.Acknowledgement), Outbox.BlobNameFor(withdrawal, "refusal") }.Select(n => sent.Single(s => s.Name == n).Message))
        {
            message.TextBody!.ShouldContain($"{Other.Dpo.Name}, {Other.Dpo.Organisation}, {Other.Dpo.Address}");
            message.TextBody!.ShouldContain(Other.Dpo.Email);
        }

        sent.Single(s => s.Name == alert).Message.To.Mailboxes.Select(m => m.Address).ShouldBe([Other.Dpo.Email]);

        // The access package the participant downloads is in the study's own words too.
        var outcome = sent.Single(s => s.Name == Outbox.BlobNameFor(access, "outcome")).Message;
        var link = outcome.TextBody!.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Download it here: ", StringComparison.Ordinal))["Download it here: ".Length..];
        using var http = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await http.GetByteArrayAsync(new Uri(link), Ct)));
        var package = string.Join('\n', zip.Entries.Select(e => new StreamReader(e.Open()).ReadToEnd()));
        SentMail.Occurring(package, MpatiWords).ShouldBeEmpty();
        package.ShouldContain($"Your data from the study \"{Other.Study.Name}\"");
        package.ShouldContain($"{Other.Controller.Name} is the data controller");
        package.ShouldContain($"To contact us, the {Other.Team.Name}, email {Other.ResearchMailbox}.");
        package.ShouldContain(Other.Notice.Version);
    }

    private RetentionWarnings WarningsAt(DateTimeOffset now) =>
        ActivatorUtilities.CreateInstance<RetentionWarnings>(env.Host.Services, (TimeProvider)new FakeTimeProvider(now));

    private async Task PublishAsync(string studyId, DateOnly publishedOn)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", JsonSerializer.Serialize(new { publishedOn = publishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }), Role.Researcher), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }
}
