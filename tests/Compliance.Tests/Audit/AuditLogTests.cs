using System.Security.Cryptography;
using System.Text;
using Compliance.Audit;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Compliance.Tests.Audit.AuditTestData;

namespace Compliance.Tests.Audit;

/// <summary>The audit log against Azurite: chains that link, append once per key, and query without injection.</summary>
public sealed class AuditLogTests(TestEnvironment env)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Appended_entries_form_a_chain_that_links_and_verifies()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(env.Tables, time);
        var studyId = NewStudyId();
        var entries = new List<AuditEntry>();

        // Act
        for (var n = 1; n <= 3; n++)
        {
            entries.Add(await log.AppendAsync(Event(studyId, n: n), TestContext.Current.CancellationToken));
            time.Advance(TimeSpan.FromMinutes(1));
        }

        // Assert
        entries.Select(e => e.Sequence).ShouldBe([1L, 2L, 3L]);
        entries.ShouldAllBe(e => e.Chain == "study:" + studyId && e.StudyId == studyId && e.Actor == "staff-1");
        entries.Select(e => e.At).ShouldBe([Start, Start.AddMinutes(1), Start.AddMinutes(2)]);
        entries[0].PreviousHash.ShouldBe(AuditHash.Genesis);
        entries[1].PreviousHash.ShouldBe(entries[0].Hash);
        entries[2].PreviousHash.ShouldBe(entries[1].Hash);
        entries.ShouldAllBe(e => e.Hash == AuditHash.Compute(e) && e.Hash.Length == 64);
        entries.Select(e => e.Hash).Distinct().Count().ShouldBe(3);

        var stored = await log.QueryAsync(requestId: null, studyId, TestContext.Current.CancellationToken);
        stored.Select(e => (e.Sequence, e.At, e.Hash, e.PreviousHash, e.Details["n"])).ShouldBe(
            entries.Select(e => (e.Sequence, e.At, e.Hash, e.PreviousHash, e.Details["n"])));

        (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
        var head = await Table(env.Tables).GetEntityAsync<Azure.Data.Tables.TableEntity>(AuditLog.ChainFor(studyId), "head", cancellationToken: TestContext.Current.CancellationToken);
        head.Value.GetInt64("LastSequence").ShouldBe(3);
        head.Value.GetString("LastHash").ShouldBe(entries[2].Hash);
    }

    [Fact]
    public async Task Events_without_a_study_go_to_the_global_chain()
    {
        var log = new AuditLog(env.Tables, TimeProvider.System);
        var marker = Guid.NewGuid().ToString("N");

        var entry = await log.AppendAsync(new AuditEvent(AuditActors.System, "system.tested") { RequestId = marker }, TestContext.Current.CancellationToken);

        entry.Chain.ShouldBe(AuditLog.GlobalChain);
        entry.StudyId.ShouldBeNull();
        var stored = (await log.QueryAsync(marker, null, TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        stored.Chain.ShouldBe(AuditLog.GlobalChain);
        stored.Hash.ShouldBe(entry.Hash);
        (await log.QueryAsync(null, null, limit: 1, TestContext.Current.CancellationToken)).Count.ShouldBe(1);
    }

    [Fact]
    public void The_hash_is_SHA256_of_the_documented_canonical_form()
    {
        // The example of docs/audit.md; its hash there was computed with printf | sha256sum, not with this code.
        var entry = new AuditEntry(
            "study:MPATI",
            1,
            new DateTimeOffset(2026, 11, 25, 9, 30, 0, 123, TimeSpan.Zero),
            "participant",
            "request.received",
            "MPATI",
            "DSR-20261125-7KQ2M9XA",
            new Dictionary<string, string> { ["type"] = "access", ["channel"] = "web" },
            "DSR-20261125-7KQ2M9XA:received",
            AuditHash.Genesis,
            Hash: string.Empty);
        const string Canonical =
            "compliance-audit-v1\n" +
            "chain=study:MPATI\n" +
            "sequence=1\n" +
            "at=2026-11-25T09:30:00.1230000+00:00\n" +
            "actor=participant\n" +
            "action=request.received\n" +
            "studyId=MPATI\n" +
            "requestId=DSR-20261125-7KQ2M9XA\n" +
            "idempotencyKey=DSR-20261125-7KQ2M9XA:received\n" +
            "detail.channel=web\n" +
            "detail.type=access\n" +
            "previousHash=0000000000000000000000000000000000000000000000000000000000000000\n";

        AuditHash.CanonicalForm(entry).ShouldBe(Canonical);
        AuditHash.Compute(entry).ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical))));
        AuditHash.Compute(entry).ShouldBe(DocumentedExampleHash);

        // Absent optional fields are empty lines, and an entry with no details has no detail lines.
        AuditHash.CanonicalForm(entry with { StudyId = null, RequestId = null, IdempotencyKey = null, Details = new Dictionary<string, string>() })
            .ShouldContain("studyId=\nrequestId=\nidempotencyKey=\npreviousHash=");
    }

    [Fact]
    public async Task An_idempotency_key_appends_once_however_often_it_is_used()
    {
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(env.Tables, time);
        var studyId = NewStudyId();
        var keyed = Event(studyId, "request.acknowledged", "DSR-20261125-AAAAAAAA") with { IdempotencyKey = "DSR-20261125-AAAAAAAA:acknowledged" };

        var first = await log.AppendAsync(keyed, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(5));
        var again = await log.AppendAsync(keyed, TestContext.Current.CancellationToken);
        var concurrently = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => new AuditLog(env.Tables, time).AppendAsync(keyed, TestContext.Current.CancellationToken)));
        var other = await log.AppendAsync(Event(studyId, n: 2), TestContext.Current.CancellationToken);

        again.Hash.ShouldBe(first.Hash);
        again.At.ShouldBe(Start);
        concurrently.ShouldAllBe(e => e.Sequence == 1 && e.Hash == first.Hash);
        first.IdempotencyKey.ShouldBe("DSR-20261125-AAAAAAAA:acknowledged");
        other.Sequence.ShouldBe(2);
        (await log.QueryAsync(null, studyId, TestContext.Current.CancellationToken)).Count.ShouldBe(2);
        (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public async Task Concurrent_writers_on_one_chain_never_fork_it(int writers)
    {
        // Arrange: each writer has its own log and client, as separate hosts would.
        var studyId = NewStudyId();
        using var start = new SemaphoreSlim(0, writers);

        // Act
        var appends = Enumerable.Range(1, writers).Select(async n =>
        {
            var log = new AuditLog(new Azure.Data.Tables.TableServiceClient(env.StorageConnectionString), TimeProvider.System);
            await start.WaitAsync(TestContext.Current.CancellationToken);
            return await log.AppendAsync(Event(studyId, n: n), TestContext.Current.CancellationToken);
        }).ToList();
        start.Release(writers);
        var results = await Task.WhenAll(appends);

        // Assert: sequences 1..n, each event once, each linked to the one before, and the head at the end.
        var log = new AuditLog(env.Tables, TimeProvider.System);
        var chain = await log.QueryAsync(null, studyId, TestContext.Current.CancellationToken);
        chain.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, writers).Select(i => (long)i));
        chain.Select(e => e.Details["n"]).Order().ShouldBe(Enumerable.Range(1, writers).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order());
        for (var i = 0; i < chain.Count; i++)
        {
            chain[i].PreviousHash.ShouldBe(i == 0 ? AuditHash.Genesis : chain[i - 1].Hash);
        }

        results.Select(r => r.Hash).Order().ShouldBe(chain.Select(e => e.Hash).Order());
        (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Verification_while_others_append_reports_no_false_problems()
    {
        var log = new AuditLog(env.Tables, TimeProvider.System);
        var studyId = NewStudyId();
        var writing = Task.WhenAll(Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < 10; n++)
            {
                await log.AppendAsync(Event(studyId, n: (w * 100) + n), TestContext.Current.CancellationToken);
            }
        })));

        var verifications = 0;
        while (!writing.IsCompleted || verifications == 0)
        {
            (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
            verifications++;
        }

        await writing;
        (await log.QueryAsync(null, studyId, TestContext.Current.CancellationToken)).Count.ShouldBe(30);
        (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Queries_by_study_by_request_and_by_both_return_matching_entries_in_order()
    {
        // Arrange: a request with entries in its study's chain and in the global chain, and another request in the same study.
        var time = new FakeTimeProvider(Start);
        var log = new AuditLog(env.Tables, time);
        var studyId = NewStudyId();
        var requestId = "DSR-20261125-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var otherRequestId = requestId + "X";
        var received = await log.AppendAsync(Event(studyId, "request.received", requestId), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));
        var otherReceived = await log.AppendAsync(Event(studyId, "request.received", otherRequestId), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));
        var routed = await log.AppendAsync(new AuditEvent(AuditActors.System, "mail.routed") { RequestId = requestId }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));
        var acknowledged = await log.AppendAsync(Event(studyId, "request.acknowledged", requestId), TestContext.Current.CancellationToken);

        // Act
        var byStudy = await log.QueryAsync(null, studyId, TestContext.Current.CancellationToken);
        var byRequest = await log.QueryAsync(requestId, null, TestContext.Current.CancellationToken);
        var byBoth = await log.QueryAsync(requestId, studyId, TestContext.Current.CancellationToken);
        var limited = await log.QueryAsync(null, studyId, limit: 2, TestContext.Current.CancellationToken);

        // Assert
        byStudy.Select(e => e.Hash).ShouldBe([received.Hash, otherReceived.Hash, acknowledged.Hash]);
        byRequest.Select(e => e.Hash).ShouldBe([received.Hash, routed.Hash, acknowledged.Hash]);
        byRequest[1].Chain.ShouldBe(AuditLog.GlobalChain);
        byBoth.Select(e => e.Hash).ShouldBe([received.Hash, acknowledged.Hash]);
        limited.Select(e => e.Sequence).ShouldBe([1L, 2L]);
        (await log.QueryAsync("DSR-20261125-NOSUCH00", null, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await log.QueryAsync(null, NewStudyId(), TestContext.Current.CancellationToken)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("' or true or ''='")]
    [InlineData("x' or PartitionKey ne '")]
    [InlineData("x') or (RowKey ne '")]
    public async Task Ids_carrying_OData_syntax_match_nothing_and_break_nothing(string hostile)
    {
        var log = new AuditLog(env.Tables, TimeProvider.System);
        var studyId = NewStudyId();
        await AppendAsync(log, studyId, 2);

        (await log.QueryAsync(hostile, null, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await log.QueryAsync(null, hostile, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await log.QueryAsync(hostile, hostile, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await log.QueryAsync(hostile, studyId, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        await Should.ThrowAsync<ArgumentException>(() => log.AppendAsync(Event(hostile), TestContext.Current.CancellationToken));
        await Should.ThrowAsync<ArgumentException>(() => log.AppendAsync(Event(studyId, requestId: hostile), TestContext.Current.CancellationToken));

        (await log.QueryAsync(null, studyId, TestContext.Current.CancellationToken)).Count.ShouldBe(2);
        (await log.AppendAsync(Event(studyId), TestContext.Current.CancellationToken)).Sequence.ShouldBe(3);
        (await ProblemsOfAsync(log, studyId)).ShouldBeEmpty();
    }

    public static TheoryData<string, AuditEvent> EventsThatAreNotIdsOnly => new()
    {
        { "Actor", new AuditEvent("alex@example.org", "request.received") },
        { "Actor", new AuditEvent("Alex Example", "request.received") },
        { "Actor", new AuditEvent("", "request.received") },
        { "Action", new AuditEvent("system", "received") },
        { "Action", new AuditEvent("system", "Request.Received") },
        { "StudyId", new AuditEvent("system", "request.received") { StudyId = "MPATI study" } },
        { "RequestId", new AuditEvent("system", "request.received") { RequestId = "alex@example.org" } },
        { "IdempotencyKey", new AuditEvent("system", "request.received") { IdempotencyKey = "a/b" } },
        { "Details", new AuditEvent("system", "request.received") { Details = new Dictionary<string, string> { ["email"] = "alex@example.org" } } },
        { "Details", new AuditEvent("system", "request.received") { Details = new Dictionary<string, string> { ["name"] = "Alex Example" } } },
        { "Details", new AuditEvent("system", "request.received") { Details = new Dictionary<string, string> { ["note"] = "line\nbreak" } } },
        { "Details", new AuditEvent("system", "request.received") { Details = new Dictionary<string, string> { ["bad key"] = "x" } } },
        { "Details", new AuditEvent("system", "request.received") { Details = Enumerable.Range(0, 17).ToDictionary(i => "k" + i, i => "v") } },
    };

    [Theory]
    [MemberData(nameof(EventsThatAreNotIdsOnly))]
    public async Task Events_that_could_carry_personal_data_are_refused_without_echoing_it(string field, AuditEvent auditEvent)
    {
        var log = new AuditLog(env.Tables, TimeProvider.System);

        var ex = await Should.ThrowAsync<ArgumentException>(() => log.AppendAsync(auditEvent, TestContext.Current.CancellationToken));

        ex.Message.ShouldContain(field);
        ex.Message.ShouldNotContain("alex", Case.Insensitive);
    }

    // printf 'compliance-audit-v1\nchain=study:MPATI\n…previousHash=000…000\n' | sha256sum (see docs/audit.md)
    private const string DocumentedExampleHash = "8ab726883aa23e059e0a00d995d266530597015cc46d8398e65df343c6f910cd";
}
