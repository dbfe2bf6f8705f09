using Compliance.SelfHost.Demo;
using Compliance.SelfHost.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Compliance.Tests.Demo;

/// <summary>A first start on empty storage seeds the demo study; a restart keeps what is there and adds nothing.</summary>
public sealed class DemoDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_self_host_seeds_the_MPATI_study_on_empty_storage_once()
    {
        // An Azurite of its own: "empty storage" must really be empty.
        await using var azurite = await AzuriteProcess.StartAsync(Repository.Root, dataPath: null, 0, 0, 0, Ct);
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["DurableTaskHubName"] = TestEnvironment.NewTaskHubName(),
            ["SelfHost:Urls"] = "http://127.0.0.1:0",
            ["SelfHost:SeedDemoData"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };

        await using (var first = await Compliance.SelfHost.SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings), cancellationToken: Ct))
        {
            first.DemoDataDescription.ShouldContain("seeded study MPATI");
        }

        await using var second = await Compliance.SelfHost.SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings), cancellationToken: Ct);
        second.DemoDataDescription.ShouldContain("not seeded");

        var studies = new StudyStore(new TableServiceClient(azurite.ConnectionString));
        var study = await studies.FindStudyAsync(DemoData.StudyId, Ct);
        study.ShouldNotBeNull();
        study.PolicySource.ShouldBe("mpati");
        var participants = await studies.ListParticipantsAsync(DemoData.StudyId, Ct);
        participants.Select(p => p.Email).ShouldBe(DemoData.People.Select(p => p.Email), ignoreOrder: true);
        participants.ShouldAllBe(p => p.NoticeVersion == study.NoticeVersion);
        var sessions = await studies.ListSessionsAsync(DemoData.StudyId, Ct);
        sessions.Select(s => s.Kind).ShouldBe([SessionKind.Interview, SessionKind.FocusGroup], ignoreOrder: true);

        var artifacts = await new ArtifactStore(new TableServiceClient(azurite.ConnectionString), new BlobServiceClient(azurite.ConnectionString)).ListByStudyAsync(DemoData.StudyId, Ct);
        artifacts.Count.ShouldBe(6);
        artifacts.Select(a => a.ContentType).ShouldContain("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        artifacts.Select(a => a.ContentType).ShouldContain("text/plain");
        foreach (var artifact in artifacts)
        {
            artifact.Size.ShouldBeGreaterThan(0);
            artifact.Sha256.Length.ShouldBe(64);
            foreach (var (name, email, _) in DemoData.People)
            {
                artifact.BlobName.ShouldNotContain(name.Split(' ')[0], Case.Insensitive);
                artifact.BlobName.ShouldNotContain(email.Split('@')[0], Case.Insensitive);
            }
        }
    }
}
