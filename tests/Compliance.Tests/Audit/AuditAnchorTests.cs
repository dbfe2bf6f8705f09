using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Functions.Audit;
using Compliance.SelfHost.Binding;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Compliance.Tests.Audit.AuditTestData;

namespace Compliance.Tests.Audit;

/// <summary>
/// Someone with the storage account's keys rewrites a chain wholesale, re-hashing every entry so that every link and the head
/// agree: the chain alone looks intact, and only its anchors in write-once storage show that it was rewritten.
/// </summary>
public sealed class AuditAnchorTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AuditAnchors Anchors => new(env.Blobs);

    private AuditLog Anchored => new(env.Tables, TimeProvider.System, Anchors);

    private AuditLog TableOnly => new(env.Tables, TimeProvider.System);

    [Fact]
    public async Task A_chain_rewritten_with_every_hash_consistent_is_found_by_its_anchor()
    {
        var studyId = NewStudyId();
        await AppendAsync(Anchored, studyId, 5);
        (await Anchored.AnchorAsync([AuditLog.ChainFor(studyId)], AuditAnchors.Scheduled, Ct)).ShouldBe(1);

        await RewriteFromAsync(studyId, 2, e => e with { Actor = "someone-else" });

        (await ProblemsOfAsync(TableOnly, studyId)).ShouldBeEmpty("the rewrite is consistent: without anchors nothing shows");
        var problem = (await ProblemsOfAsync(Anchored, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.AnchorMismatch);
        problem.Sequence.ShouldBe(5, "the anchored head is where the rewritten chain first disagrees with write-once storage");
        problem.Detail.ShouldContain("rewritten");
    }

    [Fact]
    public async Task A_chain_cut_short_and_rewritten_and_a_chain_deleted_whole_are_found_by_their_anchors()
    {
        var shortened = NewStudyId();
        var deleted = NewStudyId();
        await AppendAsync(Anchored, shortened, 4);
        await AppendAsync(Anchored, deleted, 2);
        await Anchored.AnchorAsync([AuditLog.ChainFor(shortened), AuditLog.ChainFor(deleted)], AuditAnchors.Scheduled, Ct);

        // The last two entries of one chain go, its head is moved back to match; the other chain's rows all go.
        var table = Table(env.Tables);
        var head = (await table.GetEntityAsync<TableEntity>(AuditLog.ChainFor(shortened), "head", cancellationToken: Ct)).Value;
        var third = await RowAsync(env.Tables, shortened, 2);
        await table.DeleteEntityAsync(AuditLog.ChainFor(shortened), AuditLog.RowKeyFor(3), cancellationToken: Ct);
        await table.DeleteEntityAsync(AuditLog.ChainFor(shortened), AuditLog.RowKeyFor(4), cancellationToken: Ct);
        head["LastSequence"] = 2L;
        head["LastHash"] = third["Hash"];
        await table.UpdateEntityAsync(head, ETag.All, TableUpdateMode.Replace, Ct);
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == AuditLog.ChainFor(deleted), cancellationToken: Ct))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, cancellationToken: Ct);
        }

        (await ProblemsOfAsync(TableOnly, shortened)).ShouldBeEmpty("the shortened chain is consistent in itself");
        (await ProblemsOfAsync(Anchored, shortened)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            p => p.Kind.ShouldBe(AuditProblemKind.AnchorMismatch),
            p => p.Sequence.ShouldBe(4));
        (await ProblemsOfAsync(Anchored, deleted)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            p => p.Kind.ShouldBe(AuditProblemKind.AnchorMismatch),
            p => p.Sequence.ShouldBe(2),
            p => p.Detail.ShouldContain("deleted"));
    }

    [Fact]
    public async Task An_anchor_is_written_once_and_a_chain_that_has_not_moved_is_not_anchored_again()
    {
        var studyId = NewStudyId();
        var chain = AuditLog.ChainFor(studyId);
        var entries = await AppendAsync(Anchored, studyId, 2);

        (await Anchored.AnchorAsync([chain], AuditAnchors.Scheduled, Ct)).ShouldBe(1);
        (await Anchored.AnchorAsync([chain, chain], AuditAnchors.Scheduled, Ct)).ShouldBe(0, "the head has not moved");
        var forged = new AuditAnchor(chain, 2, entries[1].Hash, DateTimeOffset.UtcNow, "forged");
        (await Anchors.TryWriteAsync(forged, Ct)).ShouldBeFalse("create-only: an anchor is never replaced");

        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.AuditAnchors).GetBlobClient(AuditAnchors.NameOf(forged));
        var stored = (await blob.DownloadContentAsync(Ct)).Value.Content.ToObjectFromJson<AuditAnchor>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        stored.Reason.ShouldBe(AuditAnchors.Scheduled);
        stored.Hash.ShouldBe(entries[1].Hash);
        (await Anchors.ListAsync(Ct))[chain].ShouldHaveSingleItem().Sequence.ShouldBe(2);
    }

    [Fact]
    public async Task Issuing_a_certificate_anchors_its_chain_at_the_entry_that_records_it()
    {
        var studyId = NewStudyId();
        await AppendAsync(Anchored, studyId, 2);

        var issued = await Anchored.AppendAsync(Event(studyId, AuditActions.CertificateIssued) with { IdempotencyKey = "sweep-1:certificate" }, Ct);
        (await Anchored.AppendAsync(Event(studyId, AuditActions.CertificateIssued) with { IdempotencyKey = "sweep-1:certificate" }, Ct)).Sequence.ShouldBe(issued.Sequence);

        var anchor = (await Anchors.ListAsync(Ct))[AuditLog.ChainFor(studyId)].ShouldHaveSingleItem();
        anchor.Sequence.ShouldBe(3);
        anchor.Hash.ShouldBe(issued.Hash);
    }

    [Fact]
    public async Task The_hourly_timer_anchors_every_studys_chain_and_the_verify_route_checks_against_the_anchors()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new LogCapture();
        var anchoringLog = typeof(AuditAnchoring).FullName!;
        await using var host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?>
            {
                [AuditAnchoring.ScheduleSetting] = "0 50 * * * *",
                [FunctionSwitches.SettingFor(nameof(AuditAnchoring.AnchorAuditChains))] = "false",
                ["Logging:LogLevel:" + anchoringLog] = "Information",
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                logs.AddTo(services);
            });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var head = (await Table(env.Tables).GetEntityAsync<TableEntity>(AuditLog.ChainFor(studyId), "head", cancellationToken: Ct)).Value.GetInt64("LastSequence");

        var runs = logs.Of(anchoringLog).Count;
        clock.Advance(TimeSpan.FromHours(1));
        await Eventually.GetAsync(() => Task.FromResult(logs.Of(anchoringLog).Count), n => n > runs, because: "the anchoring to run within the hour");

        (await Anchors.ListAsync(Ct))[AuditLog.ChainFor(studyId)].ShouldContain(a => a.Sequence == head);
        using var verify = await http.SendAsync(Staff.Get("/api/audit/verify", "Dpo"), Ct);
        var answer = await verify.Content.ReadFromJsonAsync<JsonElement>(Ct);
        answer.GetProperty("anchorsChecked").GetInt32().ShouldBeGreaterThan(0);
        answer.GetProperty("problems").EnumerateArray().ShouldNotContain(p => p.GetProperty("chain").GetString() == AuditLog.ChainFor(studyId));
    }

    /// <summary>Rewrites the chain from <paramref name="from"/> on: each entry changed, re-hashed and re-linked, and the head moved to match.</summary>
    private async Task RewriteFromAsync(string studyId, long from, Func<AuditEntry, AuditEntry> change)
    {
        var table = Table(env.Tables);
        var entries = await TableOnly.QueryAsync(null, studyId, Ct);
        var previous = entries.Single(e => e.Sequence == from - 1).Hash;
        foreach (var entry in entries.Where(e => e.Sequence >= from).OrderBy(e => e.Sequence))
        {
            var rewritten = change(entry) with { PreviousHash = previous, Hash = string.Empty };
            rewritten = rewritten with { Hash = AuditHash.Compute(rewritten) };
            var row = await RowAsync(env.Tables, studyId, entry.Sequence);
            row["Actor"] = rewritten.Actor;
            row["PreviousHash"] = rewritten.PreviousHash;
            row["Hash"] = rewritten.Hash;
            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, Ct);
            previous = rewritten.Hash;
        }

        var head = (await table.GetEntityAsync<TableEntity>(AuditLog.ChainFor(studyId), "head", cancellationToken: Ct)).Value;
        head["LastHash"] = previous;
        await table.UpdateEntityAsync(head, ETag.All, TableUpdateMode.Replace, Ct);
    }
}
