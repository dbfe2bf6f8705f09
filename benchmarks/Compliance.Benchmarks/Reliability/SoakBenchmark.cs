using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Functions.Maintenance;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Compliance.Tests.Reliability;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Compliance.Benchmarks.BenchmarkArgs;

namespace Compliance.Benchmarks.Reliability;

/// <summary>
/// The soak of issue 16: for a bounded time (10 minutes by default), on loopback only, a self-host whose app and engine
/// reach Azurite through the tests' <see cref="StorageFaultProxy"/> with faults on every service, carries mixed work at
/// once: requests of every type (codes entered at once and late, by the API and by a reply email), emails delivered up
/// to three times, the DPO's approvals, reviews and suppliers' confirmations, and a retention sweep each minute beside a
/// study that must not be touched. The outbox is sent by the host's own timer to a loopback SMTP server. Then the
/// faults stop, the work drains, and a reconciliation counts what was lost, duplicated or wrongly deleted, each of
/// which must be 0; the exit code is 1 when any is not.
/// </summary>
public static class SoakBenchmark
{
    /// <summary>The study of the research mailbox (<c>Intake:StudyId</c>): the email journeys' participants are its.</summary>
    private const string MailStudy = "SOAKMAIL";

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var options = new SoakOptions(
            TimeSpan.FromMinutes(Option(args, "--minutes", 10)),
            Option(args, "--users", 6),
            Option(args, "--journeys", 0),
            Option(args, "--seed", Environment.TickCount & 0xFFFF),
            Option(args, "--faults") != "off");
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        await using var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);
        await using var smtp = new LoopbackSmtpServer();
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.ConnectionString, options.Seed);
        var taskHub = "soak" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(HostSettings(proxy, smtp, taskHub)));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var storage = new Storage(new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString), new BlobServiceClient(azurite.ConnectionString));
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var api = new RequestApi(http, storage.Tables, storage.Blobs, durable);
        Console.WriteLine($"soak: {options.Duration.TotalMinutes:0} minutes, {options.Users} participants at a time, faults {(options.Faults ? "on" : "off")}, seed {proxy.Seed}, {Environment.ProcessorCount} cores");

        // Arrange, untimed and without faults: a subject (study, participant, interview with recording and transcript,
        // supplier) per journey, and a pair of studies per sweep, one due for deletion and one that must be left alone.
        var clock = Stopwatch.StartNew();
        var journeyCount = options.Journeys > 0 ? options.Journeys : (int)Math.Ceiling(options.Duration.TotalMinutes * 30);
        await StudyApi.RegisterStudyAsync(http, MailStudy);
        var subjects = await ArrangeAsync(journeyCount, i => RequestJourney.ArrangeAsync(http, "soak", Journey.ByEmail(i) ? MailStudy : null));
        var sweeps = await ArrangeAsync((int)Math.Ceiling(options.Duration.TotalMinutes) + 1, _ => SweepPair.ArrangeAsync(http, storage));
        Console.WriteLine($"arranged {subjects.Count} journeys' subjects and {sweeps.Count} sweep pairs in {clock.Elapsed.TotalSeconds:0} s (not under faults)");

        // Load: the participants' journeys and a sweep each minute, under faults, until the time is up.
        var journeys = new ConcurrentBag<Journey>();
        clock.Restart();
        using (options.Faults ? proxy.Inject(Faults()) : null)
        {
            var deadline = DateTime.UtcNow + options.Duration;
            var next = -1;
            var participants = Enumerable.Range(0, options.Users).Select(async _ =>
            {
                int i;
                while (DateTime.UtcNow < deadline && (i = Interlocked.Increment(ref next)) < subjects.Count)
                {
                    journeys.Add(await Journey.RunAsync(i, subjects[i], api, http, durable, options.Seed));
                }
            });
            var sweeper = RunSweepsAsync(sweeps, http, deadline);
            await Task.WhenAll([.. participants, sweeper]);
        }

        var loaded = clock.Elapsed;
        Console.WriteLine($"load finished after {loaded.TotalSeconds:0} s: {journeys.Count} journeys, {sweeps.Count(s => s.Started)} sweeps; {proxy.Describe()}");

        // Drain without faults: every email sent, every workflow ended.
        await DrainOutboxAsync(storage.Blobs, TimeSpan.FromMinutes(3));
        var report = new Reconciliation();
        foreach (var journey in journeys.OrderBy(j => j.Index))
        {
            await journey.ReconcileAsync(api, storage, taskHub, report);
        }

        foreach (var pair in sweeps.Where(s => s.Started))
        {
            await pair.ReconcileAsync(http, storage, durable, report);
        }

        var mailResearch = await ResearchDataCountAsync(storage.Blobs, MailStudy);
        var mailSubjects = Enumerable.Range(0, subjects.Count).Count(Journey.ByEmail);
        if (mailResearch < 2 * mailSubjects)
        {
            report.WronglyDeleted($"{MailStudy}: {(2 * mailSubjects) - mailResearch} of its participants' recordings and transcripts deleted by opt-outs");
        }

        await report.CountMailAsync(storage.Blobs, smtp);
        report.Print(journeys, loaded, proxy);
        return report.Clean ? 0 : 1;
    }

    /// <summary>The faults of the soak: those of the fault tests on every service (busy, failed after taking effect, delayed) and 1% of connections reset.</summary>
    private static IEnumerable<FaultRule> Faults() =>
        StorageFaultTests.Mix().Concat(Enum.GetValues<StorageService>().Select(service => new FaultRule { Service = service, Action = FaultAction.Reset, Fraction = 0.01 }));

    private static Dictionary<string, string?> HostSettings(StorageFaultProxy proxy, LoopbackSmtpServer smtp, string taskHub)
    {
        var settings = BenchmarkHostSettings.For(proxy.ConnectionString, taskHub).WithMailbox(smtp, MailStudy);

        // The engine logs each fault it recovers from (split brain detected, messages gone, conflicting completions): the
        // reconciliation, not the log, says whether it did.
        settings["Logging:LogLevel:DurableTask"] = "None";
        settings["Logging:LogLevel:Microsoft.DurableTask"] = "None";
        settings["RateLimits:Enabled"] = "false";

        // As the fault tests: a message the engine lost track of after a failed write comes back after 10 s, not 5 minutes.
        settings["SelfHost:Durable:ControlQueueVisibilityTimeout"] = "00:00:10";
        settings["SelfHost:Durable:WorkItemQueueVisibilityTimeout"] = "00:00:10";
        settings["OutboxSendSchedule"] = "*/2 * * * * *";

        // The watchdog at the soak's scale: an instance the engine left stalled is started again within about a minute and a
        // quarter, inside the 3 minutes a journey waits for its workflow.
        settings[WorkflowWatchdog.ScheduleSetting] = "*/15 * * * * *";
        settings["Watchdog:StalledAfter"] = "00:01:00";
        return settings;
    }

    private static async Task<List<T>> ArrangeAsync<T>(int count, Func<int, Task<T>> arrange)
    {
        using var gate = new SemaphoreSlim(4);
        return [.. await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return await arrange(i);
            }
            finally
            {
                gate.Release();
            }
        }))];
    }

    /// <summary>A sweep a minute: the due study of the pair and, beside it, its neighbour that is not due.</summary>
    private static async Task RunSweepsAsync(List<SweepPair> sweeps, HttpClient http, DateTime deadline)
    {
        foreach (var pair in sweeps)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return;
            }

            await pair.StartAsync(http);
            var wait = deadline - DateTime.UtcNow;
            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait < TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>Waits until no email is pending or being sent (the host's timer sends them), or <paramref name="timeout"/>.</summary>
    private static async Task DrainOutboxAsync(BlobServiceClient blobs, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && (await OutboxStatesAsync(blobs)).Any(s => s.State is not (OutboxMetadata.Sent or OutboxMetadata.Failed) || !s.Audited))
        {
            await Task.Delay(1000);
        }
    }

    internal static async Task<List<(string Name, string? State, bool Audited)>> OutboxStatesAsync(BlobServiceClient blobs)
    {
        var states = new List<(string, string?, bool)>();
        await foreach (var blob in blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }))
        {
            blob.Metadata.TryGetValue(OutboxMetadata.State, out var state);
            states.Add((blob.Name, state, blob.Metadata.TryGetValue(OutboxMetadata.Audited, out var audited) && audited == "true"));
        }

        return states;
    }

    internal static async Task<List<string>> BlobsOfStudyAsync(BlobServiceClient blobs, string studyId)
    {
        var names = new List<string>();
        foreach (var container in RetentionInventoryBuilder.StudyContainers)
        {
            await foreach (var blob in blobs.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = studyId + "/", States = BlobStates.Snapshots }))
            {
                names.Add($"{container}/{blob.Name}#{blob.Snapshot}");
            }
        }

        return names;
    }

    /// <summary>The study's recordings and transcripts: the research data a withdrawal deletes and nothing else may.</summary>
    internal static async Task<int> ResearchDataCountAsync(BlobServiceClient blobs, string studyId) =>
        (await BlobsOfStudyAsync(blobs, studyId)).Count(b =>
            b.StartsWith(StorageLayout.Containers.Recordings + "/", StringComparison.Ordinal) || b.StartsWith(StorageLayout.Containers.Transcripts + "/", StringComparison.Ordinal));

    internal static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, string role)
    {
        using var response = await http.SendAsync(Staff.Get(path, role));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(WebJson);
    }

    private sealed record SoakOptions(TimeSpan Duration, int Users, int Journeys, int Seed, bool Faults);

    /// <summary>The soak's reading of the storage past the proxy.</summary>
    internal sealed record Storage(Azure.Data.Tables.TableServiceClient Tables, BlobServiceClient Blobs);
}
