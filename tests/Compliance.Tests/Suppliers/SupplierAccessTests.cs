using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Audit;
using Compliance.Functions.Suppliers;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.SelfHost;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Suppliers;

/// <summary>
/// A transcription supplier's access lives and dies with its contract: its transcribers list the recordings assigned to it,
/// get read links that expire within hours and upload transcripts while the contract is current; the DPO is warned ahead of
/// the lapse; on the day, the supplier is suspended and its transcribers are refused on every route; a renewal restores it.
/// </summary>
/// <remarks>
/// The contract check suspends and warns about every supplier in storage, so this class runs on an Azurite and a host of
/// its own (<see cref="SupplierStorage"/>): on the shared ones it would suspend other tests' suppliers, and its audit
/// queries, which span every chain, would be read among the whole run's entries.
/// </remarks>
public sealed class SupplierAccessTests(SupplierAccessTests.SupplierStorage env) : IClassFixture<SupplierAccessTests.SupplierStorage>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task A_current_suppliers_transcriber_lists_its_recordings_reads_one_and_uploads_its_transcript()
    {
        var (supplierId, transcriber) = await RegisterSupplierAsync(Today.AddMonths(-1));
        var (otherSupplier, _) = await RegisterSupplierAsync(Today.AddMonths(-1));
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var mine = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", supplierId, participant);
        var theirs = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, "2024-07-11", otherSupplier, participant);
        var recording = await StudyApi.UploadAsync(env.Http, studyId, mine, ArtifactKind.Recording, [9, 8, 7, 6], "audio/wav");
        var notMine = await StudyApi.UploadAsync(env.Http, studyId, theirs, ArtifactKind.Recording, [1, 1], "audio/wav");

        using (var list = await SendAsync(HttpMethod.Get, "/api/transcription/recordings", transcriber))
        {
            list.StatusCode.ShouldBe(HttpStatusCode.OK);
            var recordings = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("recordings").EnumerateArray().Select(r => r.GetProperty("artifactId").GetString()).ToList();
            recordings.ShouldContain(recording);
            recordings.ShouldNotContain(notMine, "another supplier's recording is not listed");
        }

        using (var link = await SendAsync(HttpMethod.Get, $"/api/transcription/recordings/{studyId}/{recording}/link", transcriber))
        {
            link.StatusCode.ShouldBe(HttpStatusCode.OK);
            var answer = await link.Content.ReadFromJsonAsync<JsonElement>(Ct);
            answer.GetProperty("expiresOn").GetDateTimeOffset().ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddHours(4).AddMinutes(1), "links expire within hours");
            using var http = new HttpClient();
            (await http.GetByteArrayAsync(new Uri(answer.GetProperty("url").GetString()!), Ct)).ShouldBe(new byte[] { 9, 8, 7, 6 });
        }

        using (var other = await SendAsync(HttpMethod.Get, $"/api/transcription/recordings/{studyId}/{notMine}/link", transcriber))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using (var upload = await SendAsync(HttpMethod.Post, $"/api/transcription/recordings/{studyId}/{recording}/transcript", transcriber, "Interviewer: Hello.\nParticipant: Hello.\n"))
        {
            upload.StatusCode.ShouldBe(HttpStatusCode.Created, await upload.Content.ReadAsStringAsync(Ct));
        }

        (await new ArtifactStore(env.Tables, env.Blobs).ListBySessionAsync(studyId, mine, Ct)).ShouldContain(a => a.Kind == ArtifactKind.Transcript && a.UploadedBy == transcriber);
        var audit = (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, null, int.MaxValue, Ct)).Where(e => e.Actor == transcriber).ToList();
        audit.Where(e => e.Action == AuditActions.SupplierAccess).Select(e => e.Details["what"]).ShouldBe(["list", "link", "upload"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_lapsed_supplier_is_suspended_on_the_day_and_its_transcribers_are_refused_everywhere_until_a_renewal()
    {
        var (supplierId, transcriber) = await RegisterSupplierAsync(Today.AddMonths(-12));
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", supplierId, participant);
        var recording = await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "/api/transcription/recordings"),
                     (HttpMethod.Get, $"/api/transcription/recordings/{studyId}/{recording}/link"),
                     (HttpMethod.Post, $"/api/transcription/recordings/{studyId}/{recording}/transcript"),
                 })
        {
            using var refused = await SendAsync(method, path, transcriber, method == HttpMethod.Post ? "text" : null);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
            (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain(SupplierContracts.Lapsed);
        }

        var check = ActivatorUtilities.CreateInstance<SupplierContractCheck>(env.Host.Services, (TimeProvider)new FakeTimeProvider(DateTimeOffset.UtcNow));
        await check.CheckAsync(Ct);
        await check.CheckAsync(Ct);

        var suspended = (await new SupplierStore(env.Tables).FindAsync(supplierId, Ct))!;
        suspended.SuspendedAt.ShouldNotBeNull();
        var lapse = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var notice = await new Outbox(env.Blobs).ReadAsync(StudyEmails.SupplierBlobNameFor(supplierId, $"suspended-{lapse}"), Ct);
        notice.To.Mailboxes.Single().Address.ShouldBe("dpo@natcen.ac.uk");
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, null, int.MaxValue, Ct))
            .Count(e => e.Action == AuditActions.SupplierSuspended && e.Details["supplierId"] == supplierId).ShouldBe(1, "suspended once");
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, null, int.MaxValue, Ct))
            .ShouldContain(e => e.Action == AuditActions.SupplierAccessRefused && e.Details["supplierId"] == supplierId);

        // A renewed contract lifts the suspension.
        await PutSupplierAsync(supplierId, transcriber, Today.AddDays(-1));
        (await new SupplierStore(env.Tables).FindAsync(supplierId, Ct))!.SuspendedAt.ShouldBeNull();
        using var restored = await SendAsync(HttpMethod.Get, "/api/transcription/recordings", transcriber);
        restored.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_DPO_is_warned_once_thirty_days_before_a_contract_lapses()
    {
        var (supplierId, transcriber) = await RegisterSupplierAsync(Today.AddMonths(-12).AddDays(20));
        var check = ActivatorUtilities.CreateInstance<SupplierContractCheck>(env.Host.Services, (TimeProvider)new FakeTimeProvider(DateTimeOffset.UtcNow));

        await check.CheckAsync(Ct);
        await check.CheckAsync(Ct);

        var lapse = Today.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var warning = await new Outbox(env.Blobs).ReadAsync(StudyEmails.SupplierBlobNameFor(supplierId, $"contract-warning-{lapse}"), Ct);
        warning.TextBody!.ShouldContain(RequestEmails.FormatDate(Today.AddDays(20)));
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, null, int.MaxValue, Ct))
            .Count(e => e.Action == AuditActions.SupplierContractWarning && e.Details["supplierId"] == supplierId).ShouldBe(1);
        using var stillWorks = await SendAsync(HttpMethod.Get, "/api/transcription/recordings", transcriber);
        stillWorks.StatusCode.ShouldBe(HttpStatusCode.OK, "a warning changes nothing for the transcribers");
    }

    [Fact]
    public async Task A_transcriber_of_no_supplier_and_other_roles_are_refused()
    {
        using (var stranger = await SendAsync(HttpMethod.Get, "/api/transcription/recordings", $"tr-{Guid.NewGuid():N}"))
        {
            stranger.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        foreach (var role in new[] { Role.Dpo, Role.Researcher, Role.Admin, Role.OnsAnalyst })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/transcription/recordings");
            request.SignIn(role);
            using var response = await env.Http.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, role);
        }
    }

    private async Task<(string SupplierId, string Transcriber)> RegisterSupplierAsync(DateOnly signedOn)
    {
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        var transcriber = $"tr-{Guid.NewGuid():N}";
        await PutSupplierAsync(supplierId, transcriber, signedOn);
        return (supplierId, transcriber);
    }

    private async Task PutSupplierAsync(string supplierId, string transcriber, DateOnly signedOn)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/suppliers/{supplierId}")
        {
            Content = JsonContent.Create(new { name = "Test Transcriptions", email = "deletions@supplier.example", approved = true, contractSignedOn = signedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), transcribers = new[] { transcriber } }),
        };
        put.SignIn(Role.Dpo);
        using var response = await env.Http.SendAsync(put, Ct);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string transcriber, string? text = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (text is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        }

        request.SignIn(Role.Transcriber, transcriber);
        return env.Http.SendAsync(request, Ct);
    }

    /// <summary>An Azurite and a self-host for this class alone, with the MPATI study registered as on the shared ones.</summary>
    public sealed class SupplierStorage(TestEnvironment shared) : IAsyncLifetime
    {
        private OwnStorage? storage;
        private SelfHostApplication? host;

        public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

        public HttpClient Http { get; private set; } = null!;

        public TableServiceClient Tables => storage?.Tables ?? throw new InvalidOperationException("Not started.");

        public BlobServiceClient Blobs => storage?.Blobs ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync()
        {
            storage = await OwnStorage.StartAsync(TestContext.Current.CancellationToken);
            await storage.CopyStudyAsync(shared);
            host = await storage.StartHostAsync(shared);
            Http = TestEnvironment.ClientFor(host.BaseAddress);
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            if (storage is not null)
            {
                await storage.DisposeAsync();
            }
        }
    }
}
