using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace Compliance.Benchmarks;

/// <summary>
/// Light-load latency: opt-out requests posted at a steady rate (1 and 5 a second by default, a minute each), each timed from
/// just before <c>POST /api/requests</c> to the moment storage accepted its acknowledgement email into the outbox. The moment
/// is observed in the host itself, by a pipeline policy on the product's blob client that notes when the acknowledgement's
/// upload is answered <c>201</c>, so the measurement adds no storage calls of its own (polling for the blob would).
/// </summary>
public static class AckLatencyBenchmark
{
    private const string StudyId = "LATENCY";

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var rates = (BenchmarkArgs.Option(args, "--rates") ?? "1,5").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var seconds = BenchmarkArgs.Option(args, "--seconds", 60);
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        await using var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);

        var observed = new AcknowledgementObserver();
        var settings = BenchmarkHostSettings.For(azurite.ConnectionString, "latency" + Guid.NewGuid().ToString("N")[..12]);
        settings["RateLimits:Enabled"] = "false";
        await using var host = await SelfHostApplication.StartAsync(
            [],
            c => c.AddInMemoryCollection(settings),
            services => services.AddAzureClients(b => b.ConfigureDefaults(o => o.AddPolicy(observed, HttpPipelinePosition.PerCall))));
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

        var participants = rates.Sum(r => (int)Math.Ceiling(r * seconds)) + 5;
        await ArrangeAsync(http, participants);
        Console.WriteLine($"acknowledgement latency: {string.Join(" and ", rates.Select(r => r.ToString(CultureInfo.InvariantCulture)))} requests a second for {seconds} s each, {Environment.ProcessorCount} cores; {participants} participants registered (not timed)");

        // Five requests first, untimed: they warm the host, the engine and Azurite.
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostAsync(http, Interlocked.Increment(ref next) - 1)));

        Console.WriteLine();
        Console.WriteLine("| rate (requests/s) | requests | acknowledged | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var rate in rates)
        {
            var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var posts = new List<Task>();
            var interval = TimeSpan.FromSeconds(1 / rate);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < (int)Math.Ceiling(rate * seconds); i++)
            {
                var due = interval * i;
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                var participant = next++;
                posts.Add(Task.Run(async () =>
                {
                    var at = Stopwatch.GetTimestamp();
                    sent[await PostAsync(http, participant)] = at;
                }));
            }

            await Task.WhenAll(posts);
            var latencies = await LatenciesAsync(sent, observed, TimeSpan.FromSeconds(60));
            Console.WriteLine(Row(rate, sent.Count, latencies));
        }

        return 0;
    }

    private static async Task<string> PostAsync(HttpClient http, int participant)
    {
        using var response = await http.PostAsJsonAsync("/api/requests", new { studyId = StudyId, type = "opt-out", email = EmailOf(participant) });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
    }

    /// <summary>Each request's milliseconds from its POST to its acknowledgement in the outbox, waiting at most <paramref name="timeout"/> for the last.</summary>
    private static async Task<List<double>> LatenciesAsync(ConcurrentDictionary<string, long> sent, AcknowledgementObserver observed, TimeSpan timeout)
    {
        var wait = Stopwatch.StartNew();
        while (sent.Keys.Any(id => !observed.At.ContainsKey(id)) && wait.Elapsed < timeout)
        {
            await Task.Delay(100);
        }

        return sent.Where(s => observed.At.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value, observed.At[s.Key]).TotalMilliseconds)
            .Order()
            .ToList();
    }

    private static string Row(double rate, int requests, List<double> latencies)
    {
        double P(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p / 100 * latencies.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"| {rate} | {requests} | {latencies.Count} | {P(50):0} | {P(95):0} | {P(99):0} | {(latencies.Count == 0 ? double.NaN : latencies[^1]):0} |");
    }

    private static async Task ArrangeAsync(HttpClient http, int participants)
    {
        await SendAsync(http, HttpMethod.Put, $"/api/studies/{StudyId}", new { title = "Latency", endOfDataCollection = "2024-08-30", policyFile = "mpati" });
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, participants).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await SendAsync(http, HttpMethod.Post, $"/api/studies/{StudyId}/participants", new { name = $"Latency Participant {i}", email = EmailOf(i) });
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Researcher]));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static string EmailOf(int i) => $"latency{i}@example.org";

    /// <summary>Notes, per request id, the moment storage answered the upload of its acknowledgement into the outbox.</summary>
    private sealed class AcknowledgementObserver : HttpPipelinePolicy
    {
        private static readonly string Suffix = $"/{RequestEmails.AcknowledgementKey}.eml";

        public ConcurrentDictionary<string, long> At { get; } = new(StringComparer.Ordinal);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Note(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Note(message);
        }

        private void Note(HttpMessage message)
        {
            var path = Uri.UnescapeDataString(message.Request.Uri.Path);
            if (message.Request.Method == RequestMethod.Put && message.HasResponse && message.Response.Status == 201
                && path.Contains("/mail-outbox/requests/", StringComparison.Ordinal) && path.EndsWith(Suffix, StringComparison.Ordinal))
            {
                var requestId = path[(path.IndexOf("/mail-outbox/requests/", StringComparison.Ordinal) + "/mail-outbox/requests/".Length)..^Suffix.Length];
                At.TryAdd(requestId, Stopwatch.GetTimestamp());
            }
        }
    }
}
