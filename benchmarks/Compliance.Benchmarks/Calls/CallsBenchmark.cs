using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Benchmarks.Reliability;
using Compliance.Functions.Mail;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.SelfHost.Binding;
using Compliance.SelfHost.Storage;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Compliance.Tests.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Compliance.Benchmarks.BenchmarkArgs;

namespace Compliance.Benchmarks.Calls;

/// <summary>
/// Issue 17's first measure: every storage call a request makes, the Durable engine's and the product's apart, per request
/// kind, and per item of a retention sweep. One self-host on an Azurite of its own, behind the tests' storage proxy (no
/// faults) which sees every call; the product's storage clients carry a pipeline policy that sees theirs, with the function
/// each was made within; the engine's are the rest. Timers are off: the outbox is sent by running its timer function
/// (<c>SendOutbox</c>) whenever a participant would be waiting for an email, and at each request's end. Requests run one at a
/// time, the kinds in turn, so each window holds one request's calls and the engine's polling meanwhile (counted apart).
/// </summary>
public static class CallsBenchmark
{
    /// <summary>The step of a product call made outside any function (start-up, a hosted service).</summary>
    public const string OutsideAFunction = "(outside a function)";

    /// <summary>The study of the research mailbox (<c>Intake:StudyId</c>): the email requests' participants are its.</summary>
    private const string MailStudy = "CALLSMAIL";

    /// <summary>Held after each request, inside its window, so the engine's last writes (message deletes after a checkpoint) fall in it.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var each = Option(args, "--each", 5);
        var items = Option(args, "--items", 200);
        var idle = TimeSpan.FromSeconds(Option(args, "--idle-seconds", 10));
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        await using var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);
        await using var smtp = new LoopbackSmtpServer();
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.ConnectionString, seed: 0);
        var taskHub = "calls" + Guid.NewGuid().ToString("N")[..8];
        var ledger = new CallLedger(taskHub);
        using var observing = proxy.Observe(ledger.Proxied);
        var ports = Enum.GetValues<StorageService>().ToDictionary(s => proxy.Endpoint(s).Port);
        var counter = new ProductCallCounter(ports, ledger.Product);
        await using var host = await SelfHostApplication.StartAsync(
            [],
            c => c.AddInMemoryCollection(HostSettings(proxy, smtp, taskHub)),
            services => services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(counter, HttpPipelinePosition.PerRetry))));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var tables = new TableServiceClient(azurite.ConnectionString);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var api = new RequestApi(http, tables, blobs, durable: null);
        var sendOutbox = host.Catalog.Functions.Single(f => f.Name == nameof(OutboxSend.SendOutbox));
        var driver = new CallsDriver(http, api, tables, blobs, taskHub, MailStudy, async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(sendOutbox, new FunctionInvoker.Bindings(scope.ServiceProvider, CancellationToken.None, TriggerValue: new TimerInfo()));
        });
        Console.WriteLine($"calls: {each} of each request kind, one at a time; sweeps of {items} and {items * 5} items; task hub {taskHub}, {Environment.ProcessorCount} cores");

        // Arrange (counted by nobody: no window is open): a subject per request, as the fault tests arrange them.
        var before = ledger.Now();
        await StudyApi.RegisterStudyAsync(http, MailStudy);
        var subjects = new Dictionary<(string Kind, int Round), RequestJourney.Subject>();
        foreach (var kind in CallsDriver.Kinds)
        {
            for (var round = 0; round < each; round++)
            {
                subjects[(kind, round)] = await RequestJourney.ArrangeAsync(http, "calls", kind == CallsDriver.ByEmail ? MailStudy : null);
            }
        }

        var arranged = ledger.Between(before, ledger.Now());
        if (arranged.Product(StorageService.Table) == 0)
        {
            throw new InvalidOperationException("The product's clients did not carry the counting policy: no product call was seen while arranging.");
        }

        Console.WriteLine($"arranged {subjects.Count} subjects: {arranged.Total} calls through the proxy, {arranged.ProductCalls.Count} of them the product's (not part of any figure)");

        // Idle: nothing to do, for the background rate.
        await driver.SendAllAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idleFrom = ledger.Now();
        await Task.Delay(idle);
        var idleWindow = ledger.Between(idleFrom, ledger.Now());

        // Requests, the kinds in turn, so each kind meets an outbox (whose every send pass lists it) of about the same size.
        var windows = CallsDriver.Kinds.ToDictionary(k => k, _ => new List<Window>(), StringComparer.Ordinal);
        for (var round = 0; round < each; round++)
        {
            foreach (var kind in CallsDriver.Kinds)
            {
                var from = ledger.Now();
                await driver.RunAsync(kind, subjects[(kind, round)]);
                await Task.Delay(Settle);
                windows[kind].Add(ledger.Between(from, ledger.Now()));
            }

            Console.WriteLine($"round {round + 1} of {each} done");
        }

        // One send pass with nothing due: what every tick of the outbox timer costs at this outbox's size.
        var outboxSize = (await SoakBenchmark.OutboxStatesAsync(blobs)).Count;
        var passFrom = ledger.Now();
        await driver.SendAllAsync();
        var emptyPass = ledger.Between(passFrom, ledger.Now());

        // Sweeps: a study of M items and one of 5M, for the cost per item and the fixed cost.
        var sweeps = new List<(int Items, Window Window)>();
        foreach (var size in new[] { items, items * 5 })
        {
            var studyId = await ArrangeSweepAsync(http, blobs, size);
            var from = ledger.Now();
            await driver.SweepAsync(studyId);
            await Task.Delay(Settle);
            sweeps.Add((size, ledger.Between(from, ledger.Now())));
            var left = (await SoakBenchmark.BlobsOfStudyAsync(blobs, studyId)).Count;
            if (left > 0)
            {
                throw new InvalidOperationException($"The sweep of {studyId} left {left} blobs.");
            }
        }

        var all = windows.Values.SelectMany(w => w).Concat(sweeps.Select(s => s.Window)).Append(idleWindow).Append(emptyPass).ToList();
        Print(windows, idleWindow, emptyPass, outboxSize, sweeps, all);
        return 0;
    }

    private static Dictionary<string, string?> HostSettings(StorageFaultProxy proxy, LoopbackSmtpServer smtp, string taskHub)
    {
        var settings = BenchmarkHostSettings.For(proxy.ConnectionString, taskHub).WithMailbox(smtp, MailStudy);

        // The rate limits stay on, as in production (their counters are storage calls of every anonymous submission and
        // code), with limits no run reaches: every request here comes from one loopback address.
        settings["RateLimits:Submissions:Limit"] = "1000000";
        settings["RateLimits:SubmissionsPerEmail:Limit"] = "1000000";
        settings["RateLimits:CodeAttempts:Limit"] = "1000000";
        foreach (var (key, value) in TimerSwitches.AllOff())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A study due for deletion with <paramref name="items"/> recordings of 1 KB, uploaded past the proxy (not counted), as the retention benchmark arranges one.</summary>
    private static async Task<string> ArrangeSweepAsync(HttpClient http, BlobServiceClient blobs, int items)
    {
        var studyId = await StudyApi.RegisterStudyAsync(http);
        using var publish = await http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", JsonSerializer.Serialize(new { publishedOn = "2024-09-30" }), Role.Researcher));
        publish.EnsureSuccessStatusCode();
        var recordings = blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => await recordings.GetBlobClient($"{studyId}/S-B{i / 100:D6}/A-{i:D8}.wav").UploadAsync(new BinaryData(new byte[1024]), ct));
        return studyId;
    }

    private static void Print(Dictionary<string, List<Window>> windows, Window idle, Window emptyPass, int outboxSize, List<(int Items, Window Window)> sweeps, List<Window> all)
    {
        var kinds = windows.Keys.ToList();
        Console.WriteLine();
        Console.WriteLine("### Per request (mean of the runs)");
        Console.WriteLine();
        Console.WriteLine("| request | runs | seconds | engine table | engine queue | engine blob | product table | product queue | product blob | total (min-max) | of which engine polls and leases | total less polls and leases |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (kind, runs) in windows)
        {
            Console.WriteLine(Invariant(
                $"| {kind} | {runs.Count} | {Mean(runs, w => w.Seconds):0.0} | {Mean(runs, w => w.Engine(StorageService.Table)):0} | {Mean(runs, w => w.Engine(StorageService.Queue)):0} | {Mean(runs, w => w.Engine(StorageService.Blob)):0} | {Mean(runs, w => w.Product(StorageService.Table)):0} | {Mean(runs, w => w.Product(StorageService.Queue)):0} | {Mean(runs, w => w.Product(StorageService.Blob)):0} | {Mean(runs, w => w.Total):0} ({runs.Min(w => w.Total)}-{runs.Max(w => w.Total)}) | {Mean(runs, w => w.TimeDriven):0} | {Mean(runs, w => w.Total - w.TimeDriven):0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("### Idle: nothing to do");
        Console.WriteLine();
        Console.WriteLine("| window | seconds | engine table | engine queue | engine blob | product | total | of which engine polls and leases | per second |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(Invariant($"| idle (timers off) | {idle.Seconds:0.0} | {idle.Engine(StorageService.Table)} | {idle.Engine(StorageService.Queue)} | {idle.Engine(StorageService.Blob)} | {idle.ProductCalls.Count} | {idle.Total} | {idle.TimeDriven} | {idle.Total / idle.Seconds:0.0} |"));
        Console.WriteLine(Invariant($"| one outbox send pass, nothing due ({outboxSize} messages in the outbox) | {emptyPass.Seconds:0.00} | {emptyPass.Engine(StorageService.Table)} | {emptyPass.Engine(StorageService.Queue)} | {emptyPass.Engine(StorageService.Blob)} | {emptyPass.ProductCalls.Count} | {emptyPass.Total} | {emptyPass.TimeDriven} | |"));

        Console.WriteLine();
        Console.WriteLine("### Retention sweep");
        Console.WriteLine();
        Console.WriteLine("| sweep | seconds | engine | of which polls and leases | product table | product blob | total | engine per item | product per item | total per item |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (count, w) in sweeps)
        {
            var engine = w.Engine(StorageService.Table) + w.Engine(StorageService.Queue) + w.Engine(StorageService.Blob);
            var product = w.Product(StorageService.Table) + w.Product(StorageService.Blob);
            Console.WriteLine(Invariant($"| {count} items | {w.Seconds:0.0} | {engine} | {w.TimeDriven} | {w.Product(StorageService.Table)} | {w.Product(StorageService.Blob)} | {w.Total} | {(double)engine / count:0.00} | {(double)product / count:0.00} | {(double)w.Total / count:0.00} |"));
        }

        if (sweeps.Count == 2)
        {
            var (small, large) = (sweeps[0], sweeps[1]);
            var more = large.Items - small.Items;
            double Engine(Window w) => w.Engine(StorageService.Table) + w.Engine(StorageService.Queue) + w.Engine(StorageService.Blob) - w.TimeDriven;
            double Product(Window w) => w.Product(StorageService.Table) + w.Product(StorageService.Blob);
            var enginePer = (Engine(large.Window) - Engine(small.Window)) / more;
            var productPer = (Product(large.Window) - Product(small.Window)) / more;
            Console.WriteLine(Invariant($"| each further item ({small.Items} to {large.Items}, polls and leases left out) | | | | | | | {enginePer:0.00} | {productPer:0.00} | {enginePer + productPer:0.00} |"));
            Console.WriteLine(Invariant($"| fixed cost (the {small.Items}-item sweep less {small.Items} further items) | | | | | | | {Engine(small.Window) - (enginePer * small.Items):0} | {Product(small.Window) - (productPer * small.Items):0} | |"));
        }

        var requests = windows.Values.SelectMany(w => w).ToList();
        Matrix("Product calls per request by step (the function they were made within)", kinds, windows, w => w.ProductBySteps());
        Matrix("Product calls per request by what they touched", kinds, windows, w => w.ProductByResource());
        Matrix("Engine calls per request by what they touched", kinds, windows, w => w.EngineByKind());
        Listing("Product calls per request by step and what they touched (mean per request of the kinds that make them)", kinds, windows, w => w.ProductByStepAndResource());
        SweepMatrix("Sweep: product calls by step and what they touched", sweeps, w => w.ProductByStepAndResource());
        SweepMatrix("Sweep: engine calls by what they touched", sweeps, w => w.EngineByKind());

        var checks = all.Select(w => w.ProductCrossCheck()).ToList();
        var host = all.Sum(w => w.Host(StorageService.Blob));
        var outside = requests.Sum(w => w.ProductBySteps().GetValueOrDefault(OutsideAFunction));
        var engineTotal = requests.Sum(w => w.Engine(StorageService.Table) + w.Engine(StorageService.Queue) + w.Engine(StorageService.Blob));
        var engineKinds = requests.Sum(w => w.EngineByKind().Values.Sum());
        Console.WriteLine();
        Console.WriteLine($"check: product calls told by path at the proxy {checks.Sum(c => c.ByPath)}, seen by the clients' policy {checks.Sum(c => c.ByPolicy)} (batches and account-level calls aside); engine calls by kind {engineKinds} of {engineTotal}; timer (azure-webjobs-hosts) calls {host}; product calls outside a function during requests {outside}");
    }

    private static void Matrix(string title, List<string> kinds, Dictionary<string, List<Window>> windows, Func<Window, Dictionary<string, int>> split)
    {
        var means = kinds.ToDictionary(k => k, k => MeanSplit(windows[k], split), StringComparer.Ordinal);
        var rows = means.Values.SelectMany(m => m).GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Sum: g.Sum(p => p.Value))).OrderByDescending(r => r.Sum).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine($"| | {string.Join(" | ", kinds)} | mean |");
        Console.WriteLine($"|---|{string.Concat(kinds.Select(_ => "---|"))}---|");
        foreach (var (key, sum) in rows)
        {
            Console.WriteLine(Invariant($"| {Escape(key)} | {string.Join(" | ", kinds.Select(k => Cell(means[k].GetValueOrDefault(key))))} | {Cell(sum / kinds.Count)} |"));
        }
    }

    private static void Listing(string title, List<string> kinds, Dictionary<string, List<Window>> windows, Func<Window, Dictionary<string, int>> split)
    {
        var means = kinds.ToDictionary(k => k, k => MeanSplit(windows[k], split), StringComparer.Ordinal);
        var rows = means.Values.SelectMany(m => m.Keys).Distinct(StringComparer.Ordinal)
            .Select(key => (Key: key, In: kinds.Where(k => means[k].ContainsKey(key)).ToList()))
            .Select(r => (r.Key, Mean: r.In.Sum(k => means[k][r.Key]) / r.In.Count, r.In))
            .OrderBy(r => r.Key.Split(':')[0], StringComparer.Ordinal).ThenByDescending(r => r.Mean).ToList();
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| step: what it touched | per request | kinds |");
        Console.WriteLine("|---|---|---|");
        foreach (var (key, mean, present) in rows)
        {
            Console.WriteLine(Invariant($"| {Escape(key)} | {mean:0.##} | {(present.Count == kinds.Count ? "all" : string.Join(", ", present))} |"));
        }
    }

    private static void SweepMatrix(string title, List<(int Items, Window Window)> sweeps, Func<Window, Dictionary<string, int>> split)
    {
        var counts = sweeps.Select(s => split(s.Window)).ToList();
        var rows = counts.SelectMany(c => c.Keys).Distinct(StringComparer.Ordinal).OrderByDescending(k => counts[^1].GetValueOrDefault(k)).ThenBy(k => k, StringComparer.Ordinal).ToList();
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine($"| | {string.Join(" | ", sweeps.Select(s => $"{s.Items} items"))} |");
        Console.WriteLine($"|---|{string.Concat(sweeps.Select(_ => "---|"))}");
        foreach (var key in rows)
        {
            Console.WriteLine($"| {Escape(key)} | {string.Join(" | ", counts.Select(c => c.GetValueOrDefault(key).ToString(CultureInfo.InvariantCulture)))} |");
        }
    }

    private static Dictionary<string, double> MeanSplit(List<Window> runs, Func<Window, Dictionary<string, int>> split)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in runs.Select(split))
        {
            foreach (var (key, count) in part)
            {
                sums[key] = sums.GetValueOrDefault(key) + count;
            }
        }

        return sums.ToDictionary(p => p.Key, p => p.Value / runs.Count, StringComparer.Ordinal);
    }

    /// <summary>A row key as a table cell: its <c>|</c> (row-key prefixes such as <c>idem|…</c>) escaped.</summary>
    private static string Escape(string key) => key.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Cell(double value) => value == 0 ? "" : value.ToString(value >= 10 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static double Mean(List<Window> runs, Func<Window, double> value) => runs.Average(value);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
