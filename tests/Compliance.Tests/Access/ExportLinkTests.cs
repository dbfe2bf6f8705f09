using System.Net;
using System.Web;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Compliance.Access;
using Compliance.Policies;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Access;

/// <summary>
/// Read-only links to an access package, used with a plain HTTP client as a participant's browser would: they read that one
/// blob until they expire and do nothing else; signed with the account key on Azurite, with a user-delegation key when
/// storage is reached with a token, as in production.
/// </summary>
public sealed class ExportLinkTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_link_reads_its_blob_and_nothing_else()
    {
        var (blob, content) = await UploadAsync(env.Blobs);
        var neighbour = blob.GetParentBlobContainerClient().GetBlobClient(blob.Name.Replace("access-package.zip", "other.zip", StringComparison.Ordinal));
        await neighbour.UploadAsync(new BinaryData("someone else's"), Ct);

        var uri = await Links(DateTimeOffset.UtcNow).CreateReadLinkAsync(blob, DateTimeOffset.UtcNow.AddHours(1), Ct);

        blob.CanGenerateSasUri.ShouldBeTrue();
        HttpUtility.ParseQueryString(uri.Query)["sp"].ShouldBe("r");
        using var http = new HttpClient();
        (await http.GetByteArrayAsync(uri, Ct)).ShouldBe(content);
        await ShouldOnlyReadAsync(http, uri, neighbour.Uri);
    }

    [Fact]
    public async Task A_link_past_its_expiry_is_refused()
    {
        var (blob, _) = await UploadAsync(env.Blobs);

        // Made by a clock two hours behind, so the link is already out of date for the storage service.
        var uri = await Links(DateTimeOffset.UtcNow.AddHours(-2)).CreateReadLinkAsync(blob, DateTimeOffset.UtcNow.AddHours(-1), Ct);

        using var http = new HttpClient();
        using var response = await http.GetAsync(uri, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => Links(DateTimeOffset.UtcNow).CreateReadLinkAsync(blob, DateTimeOffset.UtcNow.AddMinutes(-1), Ct));
    }

    [Fact]
    public async Task The_link_to_an_export_works_for_the_policy_s_period()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var now = DateTimeOffset.UtcNow;
        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Alex, Ct);

        var link = await Links(now).CreateAsync(study.StudyId, export, Ct);

        link.ExpiresOn.ShouldBe(now.AddDays(7)); // policies/mpati.yaml: access.exportLinkValidFor: 7 days
        DateTimeOffset.Parse(HttpUtility.ParseQueryString(link.Uri.Query)["se"]!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(link.ExpiresOn, TimeSpan.FromSeconds(1));
        using var http = new HttpClient();
        using var response = await http.GetAsync(link.Uri, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        response.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("access-package.zip");
        (await response.Content.ReadAsByteArrayAsync(Ct)).LongLength.ShouldBe(export.Size);
    }

    [Fact]
    public async Task With_a_token_instead_of_a_key_the_link_is_signed_with_a_user_delegation_key()
    {
        await using var azurite = await OAuthAzurite.StartAsync(Ct);
        var (blob, _) = await UploadAsync(await ContainerAsync(azurite.CreateClient()));
        var now = DateTimeOffset.UtcNow;

        var uri = await Links(now, blob.GetParentBlobContainerClient().GetParentBlobServiceClient()).CreateReadLinkAsync(blob, now.AddDays(7), Ct);

        blob.CanGenerateSasUri.ShouldBeFalse("the client has a token, not a key");
        var query = HttpUtility.ParseQueryString(uri.Query);
        query["skoid"].ShouldNotBeNullOrEmpty("signed with a user-delegation key, obtained with the token");
        query["sktid"].ShouldNotBeNullOrEmpty();
        (query["sp"], query["sr"], query["spr"]).ShouldBe(("r", "b", "https"));
        var keyStart = DateTimeOffset.Parse(query["skt"]!, System.Globalization.CultureInfo.InvariantCulture);
        var keyExpiry = DateTimeOffset.Parse(query["ske"]!, System.Globalization.CultureInfo.InvariantCulture);
        (keyExpiry - keyStart).ShouldBeLessThanOrEqualTo(TimeSpan.FromDays(7), "Azure Storage refuses longer keys");
        keyExpiry.ShouldBe(now.AddDays(7), TimeSpan.FromSeconds(1));

        // Azure Storage refuses user-delegation keys for longer than seven days; the policy is held to that as well.
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => Links(now, blob.GetParentBlobContainerClient().GetParentBlobServiceClient()).CreateReadLinkAsync(blob, now.AddDays(7).AddMinutes(1), Ct));
    }

    [Fact]
    public async Task A_user_delegation_link_reads_its_blob_and_nothing_else()
    {
        await using var azurite = await OAuthAzurite.StartAsync(Ct);
        var (blob, content) = await UploadAsync(await ContainerAsync(azurite.CreateClient()));
        var neighbour = blob.GetParentBlobContainerClient().GetBlobClient(blob.Name.Replace("access-package.zip", "other.zip", StringComparison.Ordinal));
        await neighbour.UploadAsync(new BinaryData("someone else's"), Ct);
        var now = DateTimeOffset.UtcNow;

        var uri = await Links(now, blob.GetParentBlobContainerClient().GetParentBlobServiceClient()).CreateReadLinkAsync(blob, now.AddDays(7), Ct);

        using var http = azurite.CreateHttpClient();
        (await http.GetByteArrayAsync(uri, Ct)).ShouldBe(content);
        await ShouldOnlyReadAsync(http, uri, neighbour.Uri);
    }

    [Theory]
    [InlineData("7 days", true)]
    [InlineData("1 week", true)]
    [InlineData("168 hours", true)]
    [InlineData("8 days", false)]
    [InlineData("2 weeks", false)]
    [InlineData("1 month", false)]
    public void A_policy_s_link_period_is_at_most_seven_days(string period, bool valid)
    {
        var yaml = File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml"))
            .Replace("exportLinkValidFor: 7 days", $"exportLinkValidFor: {period}", StringComparison.Ordinal);

        var (policy, errors) = PolicyReader.TryRead(yaml);

        (policy is not null).ShouldBe(valid);
        if (!valid)
        {
            errors.ShouldHaveSingleItem().Field.ShouldBe("access.exportLinkValidFor");
            errors[0].Message.ShouldContain("at most 7 days");
        }
    }

    [Fact]
    public void Both_hosts_get_the_builder_and_the_links_from_AddComplianceCore()
    {
        env.Host.Services.GetRequiredService<AccessExportBuilder>().ShouldNotBeNull();
        env.Host.Services.GetRequiredService<ExportLinks>().ShouldNotBeNull();
        StorageLayout.Containers.All.ShouldContain(StorageLayout.Containers.RedactionLogs);
    }

    private ExportLinks Links(DateTimeOffset now, BlobServiceClient? blobs = null) =>
        new(blobs ?? env.Blobs, new StudyPolicies(new StudyStore(env.Tables)), new FakeTimeProvider(now), NullLogger<ExportLinks>.Instance);

    private static async Task<BlobServiceClient> ContainerAsync(BlobServiceClient blobs)
    {
        await blobs.GetBlobContainerClient(StorageLayout.Containers.Exports).CreateIfNotExistsAsync(cancellationToken: Ct);
        return blobs;
    }

    private static async Task<(BlobClient Blob, byte[] Content)> UploadAsync(BlobServiceClient blobs)
    {
        var content = Guid.NewGuid().ToByteArray();
        var blob = blobs.GetBlobContainerClient(StorageLayout.Containers.Exports)
            .GetBlobClient(AccessExportBuilder.PackageBlobName(StudyApi.NewStudyId(), AccessTestStudy.NewRequestId()));
        await blob.UploadAsync(new BinaryData(content), Ct);
        return (blob, content);
    }

    /// <summary>The link's signature neither writes, deletes nor lists, nor reads another blob.</summary>
    private static async Task ShouldOnlyReadAsync(HttpClient http, Uri link, Uri neighbour)
    {
        var sas = link.Query;
        using var put = new HttpRequestMessage(HttpMethod.Put, link) { Content = new ByteArrayContent([1, 2, 3]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, link);
        var container = new UriBuilder(link) { Path = link.AbsolutePath[..link.AbsolutePath.IndexOf('/', link.AbsolutePath.IndexOf("/exports", StringComparison.Ordinal) + 1)], Query = sas.TrimStart('?') + "&restype=container&comp=list" }.Uri;
        using var list = new HttpRequestMessage(HttpMethod.Get, container);
        using var other = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(neighbour) { Query = sas.TrimStart('?') }.Uri);

        foreach (var request in new[] { put, delete, list, other })
        {
            using var response = await http.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{request.Method} {request.RequestUri!.AbsolutePath}");
        }
    }
}
