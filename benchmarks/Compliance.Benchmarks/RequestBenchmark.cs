using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
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
/// N requests from intake (<c>POST /api/requests</c>) to a finished workflow through the self-host, next to the bare engine
/// running, on the same Azurite in the same run, an orchestration with the same number of empty activity calls.
/// </summary>
public static class RequestBenchmark
{
    /// <summary>The activities a request of type <c>query</c> runs today: prepare, acknowledge, start the clock.</summary>
    private const int ActivitiesPerRequest = 3;

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
        Console.WriteLine($"Azurite on blob {azurite.BlobPort}; {count} requests, {concurrency} at a time, {Environment.ProcessorCount} cores");

        var bare = await RunBareEngineAsync(azurite.ConnectionString, count, concurrency);
        var product = await RunSelfHostAsync(azurite.ConnectionString, count, concurrency);

        Console.WriteLine();
        Console.WriteLine("| run | items | seconds | per second | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine(bare.Row($"bare engine: orchestration with {ActivitiesPerRequest} empty activities"));
        Console.WriteLine(product.Row("self-host: POST /api/requests (query) to a finished workflow"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio (self-host / bare engine): {product.PerSecond / bare.PerSecond:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 latency ratio (self-host / bare engine): {product.Percentile(50) / bare.Percentile(50):0.00}"));
        return 0;
    }

    private static async Task<Result> RunSelfHostAsync(string storage, int count, int concurrency)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["DurableTaskHubName"] = "bench" + Guid.NewGuid().ToString("N")[..12],
            ["SelfHost:Urls"] = "http://127.0.0.1:0",
            ["SelfHost:SeedDemoData"] = "false",
            ["Auth:TrustClientPrincipalHeader"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var host = await SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings));
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        const string studyId = "BENCH";
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{studyId}") { Content = JsonContent.Create(new { title = "Benchmark", endOfDataCollection = "2024-08-30", policyFile = "mpati" }) })
        {
            put.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Admin]));
            (await http.SendAsync(put)).EnsureSuccessStatusCode();
        }

        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        return await MeasureAsync(count, concurrency, async i =>
        {
            using var response = await http.PostAsJsonAsync("/api/requests", new { studyId, type = "query", email = $"bench{i}@example.org" });
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
            await WaitAsync(durable, id);
        });
    }

    private static async Task<Result> RunBareEngineAsync(string storage, int count, int concurrency)
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
                    for (var i = 0; i < ActivitiesPerRequest; i++)
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
