using Azure;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Tests.Infrastructure;
using static Compliance.Tests.Audit.AuditTestData;

namespace Compliance.Tests.Audit;

/// <summary>
/// Someone with the storage account's keys changes the table directly; verification names the chain, the position and
/// the kind of damage. Each test breaks a chain of its own, so the log as a whole is not valid while the suite runs.
/// </summary>
public sealed class AuditVerificationTests(TestEnvironment env)
{
    private AuditLog Log => new(env.Tables, TimeProvider.System);

    private TableClient Table => AuditTestData.Table(env.Tables);

    [Fact]
    public async Task A_changed_entry_is_tampered_at_its_sequence()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 4);
        var row = await RowAsync(env.Tables, studyId, 2);

        row["Actor"] = "someone-else";
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.Tampered);
        problem.Sequence.ShouldBe(2);
        problem.Chain.ShouldBe(AuditLog.ChainFor(studyId));
        (await Log.VerifyAsync(TestContext.Current.CancellationToken)).Valid.ShouldBeFalse();
    }

    [Fact]
    public async Task A_changed_detail_and_an_unreadable_entry_are_tampered()
    {
        var changed = NewStudyId();
        var unreadable = NewStudyId();
        await AppendAsync(Log, changed, 3);
        await AppendAsync(Log, unreadable, 3);
        var detail = await RowAsync(env.Tables, changed, 3);
        var broken = await RowAsync(env.Tables, unreadable, 1);

        detail["Details"] = """{"n":"30"}""";
        broken["Sequence"] = "one";
        await Table.UpdateEntityAsync(detail, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        await Table.UpdateEntityAsync(broken, ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        (await ProblemsOfAsync(Log, changed)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            p => p.Kind.ShouldBe(AuditProblemKind.Tampered),
            p => p.Sequence.ShouldBe(3));
        (await ProblemsOfAsync(Log, unreadable)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            p => p.Kind.ShouldBe(AuditProblemKind.Tampered),
            p => p.Sequence.ShouldBe(1));
    }

    [Fact]
    public async Task A_deleted_middle_entry_is_missing()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 4);

        await Table.DeleteEntityAsync(AuditLog.ChainFor(studyId), AuditLog.RowKeyFor(2), ETag.All, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.Missing);
        problem.Sequence.ShouldBe(2);
    }

    [Fact]
    public async Task A_deleted_first_entry_is_missing()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 2);

        await Table.DeleteEntityAsync(AuditLog.ChainFor(studyId), AuditLog.RowKeyFor(1), ETag.All, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.Missing);
        problem.Sequence.ShouldBe(1);
    }

    [Fact]
    public async Task A_deleted_last_entry_is_a_head_mismatch()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 3);

        await Table.DeleteEntityAsync(AuditLog.ChainFor(studyId), AuditLog.RowKeyFor(3), ETag.All, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.HeadMismatch);
        problem.Sequence.ShouldBe(3);
    }

    [Fact]
    public async Task A_deleted_head_is_a_head_mismatch()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 2);

        await Table.DeleteEntityAsync(AuditLog.ChainFor(studyId), "head", ETag.All, TestContext.Current.CancellationToken);

        (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem().Kind.ShouldBe(AuditProblemKind.HeadMismatch);

        // Appending would restart the chain at 1 over the entries still there; it is refused until the head is restored.
        await Should.ThrowAsync<InvalidOperationException>(() => Log.AppendAsync(Event(studyId), TestContext.Current.CancellationToken));
        (await Log.QueryAsync(null, studyId, TestContext.Current.CancellationToken)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Swapped_entries_are_reordered()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 4);
        var second = await RowAsync(env.Tables, studyId, 2);
        var third = await RowAsync(env.Tables, studyId, 3);

        await Table.UpsertEntityAsync(CopyTo(third, second.PartitionKey, second.RowKey), TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        await Table.UpsertEntityAsync(CopyTo(second, third.PartitionKey, third.RowKey), TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.Reordered);
        problem.Sequence.ShouldBe(2);
    }

    [Fact]
    public async Task An_entry_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next()
    {
        // Whoever rewrites an entry and recomputes its hash still cannot make the next entry point at it.
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 3);
        var second = (await Log.QueryAsync(null, studyId, TestContext.Current.CancellationToken))[1];
        var forged = second with { Action = "study.forged" };
        forged = forged with { Hash = AuditHash.Compute(forged) };
        var row = await RowAsync(env.Tables, studyId, 2);

        row["Action"] = forged.Action;
        row["Hash"] = forged.Hash;
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.BrokenLink);
        problem.Sequence.ShouldBe(3);
    }

    [Fact]
    public async Task A_last_entry_rewritten_with_a_fresh_hash_is_a_head_mismatch()
    {
        var studyId = NewStudyId();
        await AppendAsync(Log, studyId, 2);
        var last = (await Log.QueryAsync(null, studyId, TestContext.Current.CancellationToken))[1];
        var forged = last with { Actor = "someone-else" };
        var row = await RowAsync(env.Tables, studyId, 2);

        row["Actor"] = forged.Actor;
        row["Hash"] = AuditHash.Compute(forged);
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, TestContext.Current.CancellationToken);

        var problem = (await ProblemsOfAsync(Log, studyId)).ShouldHaveSingleItem();
        problem.Kind.ShouldBe(AuditProblemKind.HeadMismatch);
        problem.Sequence.ShouldBe(2);
    }

    [Fact]
    public async Task Only_the_first_problem_of_a_chain_is_reported_and_other_chains_are_unaffected()
    {
        var broken = NewStudyId();
        var intact = NewStudyId();
        await AppendAsync(Log, broken, 5);
        await AppendAsync(Log, intact, 2);

        await Table.DeleteEntityAsync(AuditLog.ChainFor(broken), AuditLog.RowKeyFor(2), ETag.All, TestContext.Current.CancellationToken);
        await Table.DeleteEntityAsync(AuditLog.ChainFor(broken), AuditLog.RowKeyFor(5), ETag.All, TestContext.Current.CancellationToken);

        var result = await Log.VerifyAsync(TestContext.Current.CancellationToken);
        result.Problems.Where(p => p.Chain == AuditLog.ChainFor(broken)).ShouldHaveSingleItem().Kind.ShouldBe(AuditProblemKind.Missing);
        result.Problems.ShouldNotContain(p => p.Chain == AuditLog.ChainFor(intact));
        result.ChainsChecked.ShouldBeGreaterThanOrEqualTo(2);
        result.EntriesChecked.ShouldBeGreaterThanOrEqualTo(5);
    }
}
