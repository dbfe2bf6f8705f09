using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Compliance.Mail;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.SelfHost.Engine;
using Compliance.SelfHost.Storage;
using Compliance.Storage;
using Grpc.Net.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Benchmarks;

/// <summary>
/// N opt-out requests from intake (<c>POST /api/requests</c>) to a finished workflow through the self-host, each verified by
/// the harness with the code from its email, next to the bare engine running, on the same Azurite in the same run, an
/// orchestration with the same number of empty activity calls as one request's workflow made.
/// </summary>
public static partial class RequestBenchmark
{
    private const string StudyId = "BENCH";

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "requests")
        {
            Console.Error.WriteLine("usage: requests [--count N] [--concurrency C]");
            return 2;
        }

        var count = Option(args, "--count", 1000);
        var concurrency = Option(args, "--concurrency", 32);
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        await using var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);
        Console.WriteLine($"Azurite on blob {azurite.BlobPort}; {count} opt-out requests, {concurrency} at a time, {Environment.ProcessorCount} cores");

        await using var product = await ProductRun.StartAsync(azurite.ConnectionString, count + 1);

        // One request first, untimed: it warms the host and tells how many activities a request's workflow calls.
        await product.RunOneAsync(count);
        var activities = await product.CountActivitiesAsync(count);
        Console.WriteLine($"one opt-out request's workflow calls {activities} activities; the bare engine's orchestration calls as many");

        var bare = await RunBareEngineAsync(azurite.ConnectionString, count, concurrency, activities);
        var measured = await MeasureAsync(count, concurrency, product.RunOneAsync);

        Console.WriteLine();
        Console.WriteLine("| run | items | seconds | per second | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine(bare.Row($"bare engine: orchestration with {activities} empty activities"));
        Console.WriteLine(measured.Row("self-host: opt-out, POST /api/requests to a finished workflow, verified by code"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio (self-host / bare engine): {measured.PerSecond / bare.PerSecond:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 latency ratio (self-host / bare engine): {measured.Percentile(50) / bare.Percentile(50):0.00}"));
        return 0;
    }

    /// <summary>The self-host with a study of <c>N</c> participants, each of whom sends one opt-out request.</summary>
    private sealed partial class ProductRun : IAsyncDisposable
    {
        private readonly SelfHostApplication host;
        private readonly HttpClient http;
        private readonly DurableTaskClient durable;
        private readonly Outbox outbox;
        private readonly string taskHub;
        private readonly Dictionary<int, string> requestIds = [];

        private ProductRun(SelfHostApplication host, string taskHub)
        {
            this.host = host;
            this.taskHub = taskHub;
            http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            durable = host.Services.GetRequiredService<DurableTaskClient>();
            outbox = host.Services.GetRequiredService<Outbox>();
            Tables = host.Services.GetRequiredService<TableServiceClient>();
        }

        private TableServiceClient Tables { get; }

        public static async Task<ProductRun> StartAsync(string storage, int participants)
        {
            var taskHub = "bench" + Guid.NewGuid().ToString("N")[..12];
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage,
                ["DurableTaskHubName"] = taskHub,
                ["SelfHost:Urls"] = "http://127.0.0.1:0",
                ["SelfHost:SeedDemoData"] = "false",
                ["Auth:TrustClientPrincipalHeader"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
                // A thousand requests from loopback: the rate limits (docs/security.md) would refuse all but the first few.
                ["RateLimits:Enabled"] = "false",
            };
            var run = new ProductRun(await SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings)), taskHub);
            await run.SendAsync(HttpMethod.Put, $"/api/studies/{StudyId}", new { title = "Benchmark", endOfDataCollection = "2024-08-30", policyFile = "mpati" });
            using var gate = new SemaphoreSlim(8);
            await Task.WhenAll(Enumerable.Range(0, participants).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await run.SendAsync(HttpMethod.Post, $"/api/studies/{StudyId}/participants", new { name = $"Bench Participant {i}", email = EmailOf(i) });
                }
                finally
                {
                    gate.Release();
                }
            }));
            Console.WriteLine($"registered {participants} participants (not timed)");
            return run;
        }

        /// <summary>Participant <paramref name="i"/> asks to opt out, reads the code from the email and enters it; returns when the workflow has finished.</summary>
        public async Task RunOneAsync(int i)
        {
            using var response = await http.PostAsJsonAsync("/api/requests", new { studyId = StudyId, type = "opt-out", email = EmailOf(i) });
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
            lock (requestIds)
            {
                requestIds[i] = id;
            }

            var codeEmail = Outbox.BlobNameFor(id, "verification-code-1");
            while (!await outbox.ExistsAsync(codeEmail))
            {
                await Task.Delay(25);
            }

            var code = CodeLine().Match((await outbox.ReadAsync(codeEmail)).TextBody!).Groups[1].Value;
            using var verify = await http.PostAsJsonAsync($"/api/requests/{id}/verify", new { code });
            verify.EnsureSuccessStatusCode();
            await WaitAsync(durable, id);
        }

        /// <summary>The activities participant <paramref name="i"/>'s request's workflow scheduled, read from the task hub's history.</summary>
        public async Task<int> CountActivitiesAsync(int i)
        {
            var history = Tables.GetTableClient(taskHub + "History");
            var scheduled = 0;
            await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {requestIds[i]} and EventType eq 'TaskScheduled'")))
            {
                scheduled++;
            }

            return scheduled;
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await host.DisposeAsync();
        }

        private static string EmailOf(int i) => $"bench{i}@example.org";

        private async Task SendAsync(HttpMethod method, string path, object body)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Researcher]));
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        [GeneratedRegex(@"^\s+([0-9]{6})\s*$", RegexOptions.Multiline)]
        private static partial Regex CodeLine();
    }

    private static async Task<Result> RunBareEngineAsync(string storage, int count, int concurrency, int activities)
    {
        var options = new DurableEngineOptions { TaskHubName = "bare" + Guid.NewGuid().ToString("N")[..12] };
        await using var engine = await DurableEngine.StartAsync(StorageConnection.FromConfiguration(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage }).Build()), options, NullLoggerFactory.Instance, CancellationToken.None);
        using var channel = GrpcChannel.ForAddress(engine.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDurableTaskClient(b => { b.UseGrpc(channel); b.RegisterDirectly(); });
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(channel);
            b.AddTasks(r =>
            {
                r.AddActivityFunc<string, string>("Empty", (_, input) => input);
                r.AddOrchestratorFunc<string, string>("Bare", async (ctx, input) =>
                {
                    for (var i = 0; i < activities; i++)
                    {
                        await ctx.CallActivityAsync<string>("Empty", input);
                    }

                    return input;
                });
            });
        });
        using var app = builder.Build();
        await app.StartAsync();
        var client = app.Services.GetRequiredService<DurableTaskClient>();
        try
        {
            return await MeasureAsync(count, concurrency, async i =>
            {
                var id = await client.ScheduleNewOrchestrationInstanceAsync("Bare", i.ToString(CultureInfo.InvariantCulture));
                await WaitAsync(client, id);
            });
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Polls the instance itself: the Azure Storage backend's own wait checks only every 2 s.</summary>
    private static async Task WaitAsync(DurableTaskClient client, string instanceId)
    {
        while (true)
        {
            var instance = await client.GetInstanceAsync(instanceId);
            if (instance is { IsCompleted: true })
            {
                if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    throw new InvalidOperationException($"{instanceId} ended {instance.RuntimeStatus}");
                }

                return;
            }

            await Task.Delay(25);
        }
    }

    private static async Task<Result> MeasureAsync(int count, int concurrency, Func<int, Task> one)
    {
        var latencies = new double[count];
        using var gate = new SemaphoreSlim(concurrency);
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var watch = Stopwatch.StartNew();
                await one(i);
                latencies[i] = watch.Elapsed.TotalMilliseconds;
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Result(count, total.Elapsed, latencies.Order().ToArray());
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }

    private sealed record Result(int Count, TimeSpan Elapsed, double[] SortedLatencies)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        public double Percentile(int p) => SortedLatencies[Math.Clamp((int)Math.Ceiling(p / 100.0 * SortedLatencies.Length) - 1, 0, SortedLatencies.Length - 1)];

        public string Row(string name) => string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {Count} | {Elapsed.TotalSeconds:0.0} | {PerSecond:0.0} | {Percentile(50):0} | {Percentile(95):0} | {Percentile(99):0} |");
    }
}
