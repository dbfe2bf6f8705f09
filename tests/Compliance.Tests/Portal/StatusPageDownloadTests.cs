using System.IO.Compression;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Compliance.Access;
using Compliance.Functions.Portal;
using Compliance.Portal.Layout;
using Compliance.Portal.Requests;
using Compliance.Requests;
using Compliance.SelfHost.Demo;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Portal;

/// <summary>
/// A completed access request's private status page: its outcome and the download while the link is valid (a fresh
/// read-only link to the same package), and once the policy's period has passed, no download but what to do instead.
/// </summary>
public sealed class StatusPageDownloadTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_status_page_of_a_completed_access_request_offers_the_download_until_its_link_expires()
    {
        // Arrange: an access request of a participant with a transcript, run to its outcome.
        var api = new RequestApi(env);
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var alex = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[0].Email, DemoData.People[0].Name);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", alex);
        await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        var requestId = await api.SubmitConfirmedAsync(studyId, RequestType.Access, DemoData.People[0].Email);
        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        var statusPath = await env.Host.Services.GetRequiredService<StatusLinks>().PathForAsync(requestId, Ct);
        using var portal = new PortalClient(env.Host.BaseAddress);

        // Act: the page, then its download.
        var (page, html) = await portal.GetAsync(statusPath);
        var (download, _) = await portal.GetAsync(statusPath + "/download");

        // Assert
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("Completed");
        html.ShouldContain("We have emailed you a link to download a copy of your data.");
        html.ShouldContain($"href=\"{statusPath}/download\"");
        download.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        download.Headers.Location!.Query.ShouldContain("sig=");
        using var blobClient = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blobClient.GetByteArrayAsync(download.Headers.Location, Ct)));
        zip.Entries.ShouldContain(e => e.FullName.StartsWith("transcripts/", StringComparison.Ordinal));

        // Once the policy's period has passed, there is no download, only what to do.
        var services = env.Host.Services;
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(8));
        var expiredReader = new StatusPageReader(
            services.GetRequiredService<RequestStore>(),
            services.GetRequiredService<StudyPolicies>(),
            services.GetRequiredService<StatusLinks>(),
            services.GetRequiredService<ExportLinks>(),
            services.GetRequiredService<BlobServiceClient>(),
            later);
        var token = statusPath[(statusPath.LastIndexOf('/') + 1)..];
        var view = (await expiredReader.ReadAsync(requestId, token, Ct)).ShouldNotBeNull();
        view.Download.ShouldBeNull();
        view.DownloadExpired.ShouldBeTrue();
        (await expiredReader.DownloadLinkAsync(requestId, token, Ct)).ShouldBeNull();
        var expiredHtml = await services.GetRequiredService<PortalRenderer>().RenderAsync<StatusPage>(new Dictionary<string, object?> { [nameof(StatusPage.View)] = view });
        expiredHtml.ShouldContain("The link to download your data has expired");
        expiredHtml.ShouldNotContain("/download");
    }
}
