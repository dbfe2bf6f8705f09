using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Functions.Retention;
using Compliance.Functions.Suppliers;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.SelfHost.Binding;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;

namespace Compliance.Tests.Reliability;

/// <summary>
/// Two self-host processes on one storage and one task hub, as two instances of the Functions app in Azure: the Azure
/// Storage backend shares the task hub's partitions between them by blob leases, and each timer runs on one of them. One
/// is killed (SIGKILL) and the other takes over its partitions and its timers; every piece of work completes exactly once.
/// </summary>
public sealed partial class TwoNodeTests(TestEnvironment env)
{
    private const int Partitions = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Partition leases short enough for a test: a dead node's partitions are free 10 s after its last renewal, and the
    /// survivor looks for them every 2 s. The engine's defaults are 30 s, 10 s and 10 s.
    /// </summary>
    private static readonly Dictionary<string, string> FastLeases = new(StringComparer.Ordinal)
    {
        ["SelfHost__Durable__LeaseInterval"] = "00:00:10",
        ["SelfHost__Durable__LeaseRenewInterval"] = "00:00:03",
        ["SelfHost__Durable__LeaseAcquireInterval"] = "00:00:02",
    };

    [Fact]
    public async Task Two_nodes_share_a_task_hub_and_when_one_is_killed_mid_flight_the_other_finishes_all_its_work_exactly_once()
    {
        // Arrange: for each request type a study, participant, interview and supplier of its own, and one more study for the
        // requests held on the node to be killed; two nodes on a new task hub, each named by its machine and process.
        var hub = TestEnvironment.NewTaskHubName();
        var types = RequestType.All.ToList();
        var arranging = Task.WhenAll(types.Select(_ => RequestJourney.ArrangeAsync(env.Http, "nodes")));
        var heldSubject = await RequestJourney.ArrangeAsync(env.Http, "held");
        var subjects = await arranging;
        var (a, b) = await StartNodesAsync(env.StorageConnectionString, hub, FastLeases);
        await using var nodeA = a;
        await using var nodeB = b;
        a.DefaultWorkerId.ShouldNotBe(b.DefaultWorkerId);

        // The backend balances the partitions between the two (the second to come steals its share from the first).
        Dictionary<int, string> shared;
        try
        {
            shared = await Eventually.GetAsync(
                () => PartitionOwnersAsync(hub),
                o => o.Values.Count(w => w == a.DefaultWorkerId) == Partitions / 2 && o.Values.Count(w => w == b.DefaultWorkerId) == Partitions / 2,
                TimeSpan.FromSeconds(60),
                $"each node ({a.DefaultWorkerId}, {b.DefaultWorkerId}) to own half the partitions");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{await LeasesAsync(hub)}", ex);
        }

        using var httpA = TestEnvironment.ClientFor(a.BaseAddress);
        using var httpB = TestEnvironment.ClientFor(b.BaseAddress);
        var apiA = new RequestApi(httpA, env.Tables, env.Blobs, durable: null);
        var apiB = new RequestApi(httpB, env.Tables, env.Blobs, durable: null);

        // Work that is certainly in flight on A when it dies: queries whose instances live in A's partitions, each waiting
        // for the DPO's review (their task exists, so A ran their first episodes). Others that land on B's partitions are
        // kept too and finished the same way.
        var partitionsOfA = shared.Where(p => p.Value == a.DefaultWorkerId).Select(p => p.Key).ToHashSet();
        var held = new List<string>();
        for (var i = 0; i < 16 && held.Count(id => partitionsOfA.Contains(PartitionOf(id))) < 2; i++)
        {
            var id = await apiA.SubmitAsync(new { studyId = heldSubject.StudyId, type = RequestType.Query, email = $"held.{Guid.NewGuid():N}@example.org" });
            await apiA.OpenTaskAsync(id, TaskKind.DpoReview);
            held.Add(id);
        }

        var heldOnA = held.Where(id => partitionsOfA.Contains(PartitionOf(id))).ToList();
        heldOnA.Count.ShouldBeGreaterThanOrEqualTo(2, $"queries placed in A's partitions {string.Join(',', partitionsOfA)}");

        // Act 1: every request type driven to its last step that needs a person, half through each node, all at once; and A
        // killed the moment the last of them has been taken, while their workflows carry those steps out.
        var driven = await Task.WhenAll(types.Select((type, i) => RequestJourney.DriveToLastStepAsync(i % 2 == 0 ? apiA : apiB, type, subjects[i])));
        var ownersAtKill = await PartitionOwnersAsync(hub);
        await a.KillAsync();
        var instances = env.Tables.GetTableClient(hub + "Instances");
        var unfinishedAtKill = new List<string>();
        foreach (var id in driven.Concat(held))
        {
            if (await RuntimeStatusAsync(instances, id) != "Completed")
            {
                unfinishedAtKill.Add(id);
            }
        }

        var aOwnedAtKill = ownersAtKill.Where(p => p.Value == a.DefaultWorkerId).Select(p => p.Key).ToHashSet();
        aOwnedAtKill.ShouldNotBeEmpty($"A owned partitions when it was killed: {Describe(ownersAtKill)}");
        unfinishedAtKill.Where(id => aOwnedAtKill.Contains(PartitionOf(id))).ShouldNotBeEmpty("work in A's partitions was in flight when it was killed");

        // Act 2: through B alone, the steps left (the suppliers' confirmations of a withdrawal and an erasure, the DPO's
        // reviews of the held queries). Their workflows in A's partitions run only once B has taken them over.
        await Task.WhenAll(types.Select((type, i) => RequestJourney.FinishAsync(apiB, type, driven[i])));
        await Task.WhenAll(held.Select(id => apiB.CompleteTaskAsync(id, TaskKind.DpoReview, TaskOutcome.Resolved)));
        try
        {
            foreach (var id in driven.Concat(held))
            {
                await Eventually.GetAsync(() => RuntimeStatusAsync(instances, id), s => s is "Completed" or "Failed" or "Terminated", TimeSpan.FromSeconds(90), $"{id} to finish on B");
            }
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nPartitions: {Describe(await PartitionOwnersAsync(hub))}\nB printed:\n{b.Output}", ex);
        }

        // Assert: B owns every partition now, A's included...
        var ownersAfter = await PartitionOwnersAsync(hub);
        ownersAfter.Count.ShouldBe(Partitions, Describe(ownersAfter));
        ownersAfter.Values.ShouldAllBe(owner => owner == b.DefaultWorkerId, Describe(ownersAfter));

        // ...and each request's work was done once: once in the engine, the stored requests of each study, once in the product.
        var history = env.Tables.GetTableClient(hub + "History");
        var problems = new List<string>();
        var all = types.Select((type, i) => (Type: type, Subject: subjects[i], Id: driven[i]))
            .Concat(held.Select(id => (Type: RequestType.Query, Subject: heldSubject, Id: id)))
            .ToList();
        foreach (var (type, subject, id) in all)
        {
            try
            {
                (await RuntimeStatusAsync(instances, id)).ShouldBe("Completed");
                var engine = await RequestJourney.EngineEventsAsync(history, id);
                engine.Count(e => e == "ExecutionStarted").ShouldBe(1, "one start in the engine");
                engine.Count(e => e == "ExecutionCompleted").ShouldBe(1, "one completion in the engine");
                await RequestJourney.AssertCompletedOnceAsync(apiB, env.Tables, type, id, subject);
            }
            catch (Exception ex) when (ex is ShouldAssertException or TimeoutException)
            {
                problems.Add($"{type} {id} (partition {PartitionOf(id)}{(aOwnedAtKill.Contains(PartitionOf(id)) ? ", A's" : string.Empty)}): {ex.Message.Split('\n')[0]}");
            }
        }

        problems.ShouldBeEmpty();
        for (var i = 0; i < types.Count; i++)
        {
            (await apiB.Store.ListAsync(null, subjects[i].StudyId, Ct)).Select(r => r.RequestId).ShouldBe([driven[i]], "one stored request");
        }

        (await apiB.Store.ListAsync(null, heldSubject.StudyId, Ct)).Select(r => r.RequestId).ShouldBe(held, ignoreOrder: true);
        (await AuditProblemsAsync(subjects.Append(heldSubject).Select(s => s.StudyId))).ShouldBeEmpty("every study's audit chain verifies");
        TestContext.Current.TestOutputHelper?.WriteLine($"A owned {string.Join(',', aOwnedAtKill.Order())} at the kill; unfinished then: {unfinishedAtKill.Count} of {all.Count}, {unfinishedAtKill.Count(id => aOwnedAtKill.Contains(PartitionOf(id)))} in A's partitions");
    }

    /// <summary>The three timers of the issue, each on a schedule of its own, two seconds apart, every six seconds.</summary>
    private static readonly (string Function, string Setting, string Schedule)[] Timers =
    [
        (nameof(RetentionHttp.RunRetentionSweeps), RetentionHttp.ScheduleSetting, "0/6 * * * * *"),
        (nameof(RetentionWarnings.WarnOfRetention), RetentionWarnings.ScheduleSetting, "2/6 * * * * *"),
        (nameof(SupplierContractCheck.CheckSupplierContracts), SupplierContractCheck.ScheduleSetting, "4/6 * * * * *"),
    ];

    [Fact]
    public async Task The_timers_of_two_nodes_run_each_occurrence_once_and_the_survivor_takes_over_the_timers_of_a_killed_node()
    {
        // Arrange: an Azurite of the test's own (a sweep, a warning run and a supplier check act on everything in storage),
        // and two nodes on one task hub with the sweep, the warnings and the supplier check on, every six seconds.
        await using var storage = await OwnStorage.StartAsync(Ct);
        var hub = TestEnvironment.NewTaskHubName();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SelfHost__Timers__LockPeriod"] = "00:00:15",
            ["SelfHost__Timers__LockRecoveryPollingInterval"] = "00:00:01",
            ["Logging__LogLevel__" + typeof(TimerFunctionScheduler).FullName] = "Information",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        foreach (var (function, setting, schedule) in Timers)
        {
            settings[$"AzureWebJobs__{function}__Disabled"] = "false";
            settings[setting] = schedule;
        }

        var (first, second) = await StartNodesAsync(storage.ConnectionString, hub, settings);
        await using var nodeA = first;
        await using var nodeB = second;

        // Act 1: both run for two occurrences of every timer between them. The node that holds the sweep is the one killed,
        // the moment it has finished a run (so no run of it is cut off: that occurrence would be run again, below).
        await Eventually.GetAsync(
            () => Task.FromResult(Timers.All(t => Runs(first, t.Function).Count + Runs(second, t.Function).Count >= 2)),
            done => done,
            TimeSpan.FromSeconds(60),
            "two runs of each timer");
        var (victim, survivor) = Runs(first, Timers[0].Function).Count > 0 ? (first, second) : (second, first);
        var finishedSoFar = FinishedLine().Count(victim.Output);
        await Eventually.GetAsync(() => Task.FromResult(IsIdleAfterANewRun(victim, finishedSoFar)), idle => idle, TimeSpan.FromSeconds(30), "the node to finish a run");
        await victim.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        var victimRuns = Timers.ToDictionary(t => t.Function, t => Runs(victim, t.Function));

        // Act 2: the survivor runs every timer, those it took over included, for two more occurrences.
        var before = Timers.ToDictionary(t => t.Function, t => Runs(survivor, t.Function).Count);
        try
        {
            await Eventually.GetAsync(
                () => Task.FromResult(Timers.All(t => Runs(survivor, t.Function).Count >= before[t.Function] + 2 && (victimRuns[t.Function].Count == 0 || Runs(survivor, t.Function).Any(r => r.Occurrence > victimRuns[t.Function][^1].Occurrence)))),
                done => done,
                TimeSpan.FromSeconds(60),
                "the survivor to run every timer twice more");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nThe survivor printed:\n{survivor.Output}", ex);
        }

        // Assert, for each timer: every occurrence ran once across both nodes; before the kill one node alone ran it; the
        // survivor carried on after the victim's last run, first with the occurrence it missed while the victim's lock ran
        // out (once, as past due), and the schedule's status says where it got to.
        var containerClient = storage.Blobs.GetBlobContainerClient(TimerLocks.Container);
        var tookOver = 0;
        var pastDueTakeovers = 0;
        foreach (var (function, _, _) in Timers)
        {
            var byVictim = Runs(victim, function);
            var bySurvivor = Runs(survivor, function);
            var all = byVictim.Concat(bySurvivor).ToList();
            all.GroupBy(r => r.Occurrence).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty($"{function}: no occurrence run twice\n{Describe(byVictim, bySurvivor)}");
            all.ShouldAllBe(r => r.Finished, $"{function}: every run that started finished\n{Describe(byVictim, bySurvivor)}");

            if (byVictim.Count > 0)
            {
                tookOver++;
                bySurvivor.Where(r => r.Occurrence < byVictim[^1].Occurrence).ShouldBeEmpty($"{function}: while the victim held it, the survivor did not run it\n{Describe(byVictim, bySurvivor)}");

                // The victim's lock outlives it by about half its period (7.5 s), longer than the six seconds to the next
                // occurrence, so the survivor nearly always misses one and runs it once, late, as the Functions host does.
                // Only if the victim's last renewal was late can the survivor take over in time for the next one.
                var after = bySurvivor.Where(r => r.Occurrence > byVictim[^1].Occurrence).ToList();
                (after[0].PastDue || after[0].Occurrence == byVictim[^1].Occurrence.AddSeconds(6)).ShouldBeTrue($"{function}: the first run after the takeover is the missed occurrence, past due (or the next, on time)\n{Describe(byVictim, bySurvivor)}");
                after.Skip(1).ShouldAllBe(r => !r.PastDue, $"{function}: then on schedule\n{Describe(byVictim, bySurvivor)}");
                pastDueTakeovers += after[0].PastDue ? 1 : 0;
            }

            bySurvivor.Select(r => r.Occurrence).ShouldBeInOrder(SortDirection.Ascending);
            var status = (await containerClient.GetBlobClient(TimerLocks.StatusName(hub.ToLowerInvariant(), function)).DownloadContentAsync(Ct)).Value.Content.ToObjectFromJson<TimerScheduleStatus>()!;
            status.Last.ShouldBeGreaterThanOrEqualTo(bySurvivor[^1].Occurrence.UtcDateTime, function);
        }

        tookOver.ShouldBeGreaterThan(0, "the killed node held the sweep, so the survivor took over at least that timer");
        pastDueTakeovers.ShouldBeGreaterThan(0, "a next occurrence fell before the victim's lock ran out, so at least one timer was run past due by the survivor");
        TestContext.Current.TestOutputHelper?.WriteLine($"killed at {killedAt:HH:mm:ss.fff}\n" + string.Join('\n', Timers.Select(t => $"{t.Function}:\n{Describe(Runs(victim, t.Function), Runs(survivor, t.Function))}")));
    }

    /// <summary>A timer run as the scheduler logs it: its occurrence, whether it was past due, and whether it got to its end.</summary>
    private sealed record TimerRun(DateTimeOffset Occurrence, bool PastDue, bool Finished);

    /// <summary>The runs of <paramref name="function"/> that <paramref name="node"/> logged, in order.</summary>
    private static List<TimerRun> Runs(SelfHostProcess node, string function)
    {
        var output = node.Output;
        var finished = FinishedLine().Matches(output).Where(m => m.Groups["f"].Value == function).Select(m => m.Groups["o"].Value).ToHashSet(StringComparer.Ordinal);
        return RunningLine().Matches(output)
            .Where(m => m.Groups["f"].Value == function)
            .Select(m => new TimerRun(DateTimeOffset.Parse(m.Groups["o"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["p"].Success, finished.Contains(m.Groups["o"].Value)))
            .ToList();
    }

    /// <summary>Whether the node has finished a run since it had finished <paramref name="finishedBefore"/>, and has none in flight.</summary>
    private static bool IsIdleAfterANewRun(SelfHostProcess node, int finishedBefore)
    {
        var output = node.Output;
        var finished = FinishedLine().Count(output);
        return finished > finishedBefore && RunningLine().Count(output) == finished;
    }

    private static string Describe(List<TimerRun> victim, List<TimerRun> survivor) =>
        $"  killed node: {string.Join(", ", victim.Select(Describe))}\n  survivor:    {string.Join(", ", survivor.Select(Describe))}";

    private static string Describe(TimerRun run) => $"{run.Occurrence:HH:mm:ss.fff}{(run.PastDue ? " past due" : string.Empty)}{(run.Finished ? string.Empty : " unfinished")}";

    [GeneratedRegex(@"Timer function (?<f>\w+) running for (?<o>\S+)(?<p> \(past due\))?")]
    private static partial Regex RunningLine();

    [GeneratedRegex(@"Timer function (?<f>\w+) ran for (?<o>\S+)")]
    private static partial Regex FinishedLine();

    /// <summary>Starts two nodes at once, as a scale-out starts instances; if either fails, neither is left running.</summary>
    private static async Task<(SelfHostProcess A, SelfHostProcess B)> StartNodesAsync(string storage, string hub, IReadOnlyDictionary<string, string> settings)
    {
        var starting = new[] { SelfHostProcess.StartAsync(storage, hub, settings), SelfHostProcess.StartAsync(storage, hub, settings) };
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }

        return (starting[0].Result, starting[1].Result);
    }

    /// <summary>
    /// Each partition's owner, as the backend's partition manager records it: this version of the Azure Storage backend
    /// keeps a row per control queue in the task hub's <c>Partitions</c> table (its table partition manager), naming the
    /// worker that holds it and until when; a lease past its expiry counts as nobody's.
    /// </summary>
    private async Task<Dictionary<int, string>> PartitionOwnersAsync(string hub)
    {
        var owners = new Dictionary<int, string>();
        var table = env.Tables.GetTableClient(hub + "Partitions");
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                var match = ControlQueue().Match(row.RowKey);
                if (match.Success && row.GetString("CurrentOwner") is { Length: > 0 } owner && row.GetDateTimeOffset("ExpiresAt") > DateTimeOffset.UtcNow)
                {
                    owners[int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)] = owner;
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Not created yet.
        }

        return owners;
    }

    /// <summary>The task hub's lease containers and tables, and the partition rows, for a failure's message.</summary>
    private async Task<string> LeasesAsync(string hub)
    {
        var lines = new List<string>();
        await foreach (var item in env.Blobs.GetBlobContainersAsync(prefix: hub.ToLowerInvariant(), cancellationToken: Ct))
        {
            var container = env.Blobs.GetBlobContainerClient(item.Name);
            await foreach (var blob in container.GetBlobsAsync(cancellationToken: Ct))
            {
                var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToString();
                lines.Add($"{item.Name}/{blob.Name} [{blob.Properties.LeaseState}] {content}");
            }
        }

        await foreach (var table in env.Tables.QueryAsync(t => t.Name.CompareTo(hub) >= 0 && t.Name.CompareTo(hub + "~") < 0, cancellationToken: Ct))
        {
            lines.Add($"table {table.Name}");
            if (table.Name.EndsWith("Partitions", StringComparison.Ordinal))
            {
                await foreach (var row in env.Tables.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
                {
                    lines.Add("  " + string.Join(", ", row.Select(kv => $"{kv.Key}={kv.Value}")));
                }
            }
        }

        return string.Join('\n', lines);
    }

    private static string Describe(Dictionary<int, string> owners) => string.Join(", ", owners.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}"));

    [GeneratedRegex(@"-control-(?<n>\d+)$")]
    private static partial Regex ControlQueue();

    /// <summary>
    /// The partition (control queue) of an instance, as the backend computes it: the FNV-1a hash of its id modulo the
    /// partition count (the backend's own helper, called by reflection: it is internal).
    /// </summary>
    private static int PartitionOf(string instanceId) =>
        (int)((uint)HashMethod.Value.Invoke(null, [instanceId])! % Partitions);

    private static readonly Lazy<MethodInfo> HashMethod = new(() =>
        typeof(DurableTask.AzureStorage.AzureStorageOrchestrationService).Assembly.GetType("DurableTask.AzureStorage.Fnv1aHashHelper", throwOnError: true)!
            .GetMethod("ComputeHash", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(string)])
        ?? throw new InvalidOperationException("DurableTask.AzureStorage.Fnv1aHashHelper.ComputeHash(string) is not there: the backend has changed how it places instances."));

    private static async Task<string> RuntimeStatusAsync(TableClient instances, string instanceId)
    {
        var row = await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, string.Empty, cancellationToken: Ct);
        return row.HasValue ? row.Value!.GetString("RuntimeStatus") ?? "?" : "Missing";
    }

    /// <summary>The problems <c>GET /api/audit/verify</c> reports in the chains of <paramref name="studyIds"/>.</summary>
    private async Task<List<string>> AuditProblemsAsync(IEnumerable<string> studyIds)
    {
        var chains = studyIds.Select(id => "study:" + id).ToHashSet(StringComparer.Ordinal);
        using var response = await env.Http.SendAsync(Staff.Get("/api/audit/verify", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return result.GetProperty("problems").EnumerateArray()
            .Where(p => chains.Contains(p.GetProperty("chain").GetString()!))
            .Select(p => p.GetRawText())
            .ToList();
    }
}
