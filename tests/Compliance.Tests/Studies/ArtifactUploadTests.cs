using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.Identity;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Studies;

/// <summary>Uploads stream to blob storage with size and checksum recorded, within limits, and leave nothing behind when they fail.</summary>
public sealed class ArtifactUploadTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transcript_is_stored_under_pseudonymous_ids_with_its_size_and_checksum_and_indexed()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId, name: "Robin Example");
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, "focus-group", "2024-07-22", p1, p2);
        var content = Encoding.UTF8.GetBytes("Interviewer: Thank you for coming.\nRobin Example: Happy to help.\n");

        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, session, "transcript", content, "text/plain; charset=utf-8"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var artifactId = view.GetProperty("artifactId").GetString()!;
        view.GetProperty("size").GetInt64().ShouldBe(content.Length);
        view.GetProperty("sha256").GetString().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        var blobName = view.GetProperty("blobName").GetString()!;
        blobName.ShouldBe($"{studyId}/{session}/{artifactId}.txt");
        blobName.ShouldNotContain("Robin", Case.Insensitive);

        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.Transcripts).GetBlobClient(blobName);
        (await blob.DownloadContentAsync(Ct)).Value.Content.ToArray().ShouldBe(content);
        var store = new ArtifactStore(env.Tables, env.Blobs);
        (await store.ListBySessionAsync(studyId, session, Ct)).Select(a => a.ArtifactId).ShouldBe([artifactId]);
        (await store.ListByParticipantAsync(studyId, p2, Ct)).Select(a => a.ArtifactId).ShouldBe([artifactId]);
        (await store.ListByStudyAsync(studyId, Ct)).ShouldHaveSingleItem().Kind.ShouldBe("transcript");
    }

    [Fact]
    public async Task A_recording_larger_than_one_block_streams_through_whole()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, "interview", "2024-07-15", p1);
        var content = new byte[9 * 1024 * 1024 + 123];
        new Random(42).NextBytes(content);

        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, session, "recording", content, "audio/mpeg"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        view.GetProperty("sha256").GetString().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings).GetBlobClient(view.GetProperty("blobName").GetString());
        (await blob.GetPropertiesAsync(cancellationToken: Ct)).Value.ContentLength.ShouldBe(content.Length);
    }

    [Theory]
    [InlineData("transcript", "audio/mpeg", "Content-Type")]
    [InlineData("recording", "text/plain", "Content-Type")]
    [InlineData("photo", "image/png", "kind")]
    [InlineData("anonymised-transcript", "text/plain", "kind")]
    public async Task The_wrong_kind_or_content_type_is_refused(string kind, string contentType, string field)
    {
        var (studyId, session) = await NewSessionAsync(env.Http);

        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, session, kind, [1, 2, 3], contentType), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        await ShouldHaveNothingAsync(studyId, session);
    }

    [Theory]
    [InlineData("S-00000000")]
    [InlineData("x' or true or ''='")]
    public async Task An_unknown_session_is_a_404(string session)
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);

        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, Uri.EscapeDataString(session), "notes", [1], "text/plain"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "not-found");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_upload_over_the_limit_is_refused_and_leaves_nothing(bool declareLength)
    {
        // A host of its own with a small limit, so the test sends kilobytes, not the real limit.
        await using var host = await env.StartHostAsync(true, new Dictionary<string, string?> { ["Artifacts:Kinds:notes:MaxBytes"] = "5000" });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var (studyId, session) = await NewSessionAsync(http);
        var content = new byte[6000];
        using var request = StudyApi.Upload(studyId, session, "notes", content, "text/plain");
        if (!declareLength)
        {
            request.Content = new StreamContent(new UnseekableStream(content));
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        }

        using var response = await http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "body-too-large")).GetProperty("detail").GetString()!.ShouldContain("5000");
        await ShouldHaveNothingAsync(studyId, session);
    }

    [Theory]
    [InlineData(50_000)]
    [InlineData(6 * 1024 * 1024)]
    public async Task An_upload_cut_off_midway_leaves_nothing_half_written(int bytesSent)
    {
        var (studyId, session) = await NewSessionAsync(env.Http);
        var principal = ClientPrincipal.Encode("researcher-1", [Role.Researcher]);

        // Raw HTTP, so the connection can drop with the body half sent, as a failing network would.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(env.Host.BaseAddress.Host, env.Host.BaseAddress.Port, Ct);
            var stream = tcp.GetStream();
            var head = $"POST /api/studies/{studyId}/sessions/{session}/artifacts?kind=recording HTTP/1.1\r\nHost: {env.Host.BaseAddress.Authority}\r\n" +
                       $"Content-Type: audio/mpeg\r\nContent-Length: {bytesSent * 2}\r\n{ClientPrincipal.HeaderName}: {principal}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
            await stream.WriteAsync(new byte[bytesSent], Ct);
            await stream.FlushAsync(Ct);
            await Task.Delay(300, Ct);
            tcp.Client.Shutdown(SocketShutdown.Both);
        }

        // The server notices the broken body and gives up, which it logs once the upload has failed; then nothing may be there.
        await env.Logs.WaitForAsync(
            typeof(Compliance.Functions.Studies.ArtifactUploads).FullName!,
            l => l.Message.Contains(session, StringComparison.Ordinal) && l.Message.Contains("broke off", StringComparison.Ordinal),
            "the server to give up on the broken upload");
        await ShouldHaveNothingAsync(studyId, session);
    }

    [Fact]
    public async Task An_empty_upload_is_refused()
    {
        var (studyId, session) = await NewSessionAsync(env.Http);

        using var response = await env.Http.SendAsync(StudyApi.Upload(studyId, session, "notes", [], "text/plain"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "empty-body");
    }

    [Fact]
    public async Task An_empty_chunked_upload_is_refused_and_leaves_nothing()
    {
        var (studyId, session) = await NewSessionAsync(env.Http);
        using var upload = StudyApi.Upload(studyId, session, "notes", [], "text/plain");
        upload.Content = new StreamContent(new UnseekableStream([]));
        upload.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");

        using var response = await env.Http.SendAsync(upload, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "empty-body");
        await ShouldHaveNothingAsync(studyId, session);
    }

    private static async Task<(string StudyId, string Session)> NewSessionAsync(HttpClient http)
    {
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var participant = await StudyApi.RegisterParticipantAsync(http, studyId);
        return (studyId, await StudyApi.RegisterSessionAsync(http, studyId, "interview", "2024-07-15", participant));
    }

    private async Task ShouldHaveNothingAsync(string studyId, string session)
    {
        (await new ArtifactStore(env.Tables, env.Blobs).ListBySessionAsync(studyId, session, Ct)).ShouldBeEmpty();
        foreach (var container in StorageLayout.Containers.All)
        {
            await foreach (var blob in env.Blobs.GetBlobContainerClient(container).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{studyId}/" }, Ct))
            {
                throw new ShouldAssertException($"{container}/{blob.Name} should not exist");
            }
        }
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
