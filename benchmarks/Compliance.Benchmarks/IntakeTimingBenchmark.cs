using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.SelfHost.Demo;

namespace Compliance.Benchmarks;

/// <summary>
/// Whether the anonymous intake's answer time shows who took part: <c>POST /api/requests</c> from an address held for a
/// participant (each a participant of their own, registered first) against one no participant holds, in pairs with the
/// order within each pair drawn at random (so drift falls on both alike), after a warm-up. Each submission is made once the
/// workflow the one before started has reached its wait (for a code, or for the DPO's identity check): those workflows do
/// different work for the two kinds of address, and run in the background, so the answer time alone is what is measured.
/// The medians must differ by less than <see cref="BudgetMs"/>.
/// </summary>
public static class IntakeTimingBenchmark
{
    /// <summary>The most the two medians may differ.</summary>
    public const double BudgetMs = 5;

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var count = BenchmarkArgs.Option(args, "--requests", 50);
        var pauseMs = BenchmarkArgs.Option(args, "--pause-ms", 100);
        await using var host = await DemoHost.StartAsync("benchtiming");
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        const int warmUp = 5;
        for (var i = 0; i < count + warmUp; i++)
        {
            await RegisterAsync(http, Held(i));
        }

        var interval = TimeSpan.FromMilliseconds(pauseMs);
        var order = new Random(BenchmarkArgs.Option(args, "--seed", 20261204));
        var heldTimes = new List<double>(count);
        var unknownTimes = new List<double>(count);
        for (var i = 0; i < count + warmUp; i++)
        {
            var heldFirst = order.Next(2) == 0;
            foreach (var fromHeld in new[] { heldFirst, !heldFirst })
            {
                var started = Stopwatch.GetTimestamp();
                var requestId = await SubmitAsync(http, fromHeld ? Held(i) : Unknown(i));
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (i >= warmUp)
                {
                    (fromHeld ? heldTimes : unknownTimes).Add(elapsed.TotalMilliseconds);
                }

                await WaitForItsWaitAsync(http, requestId);
                await Task.Delay(interval);
            }
        }

        var (heldMedian, unknownMedian) = (Median(heldTimes), Median(unknownTimes));
        var difference = Math.Abs(heldMedian - unknownMedian);
        Console.WriteLine($"POST /api/requests (opt-out), {count} from a held address and {count} from unknown ones, in pairs in random order, each on a quiet host; {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| address | median ms | p95 ms |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| held by a participant | {heldMedian:0.0} | {P95(heldTimes):0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| held by no one | {unknownMedian:0.0} | {P95(unknownTimes):0.0} |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"medians differ by {difference:0.00} ms (budget {BudgetMs} ms): {(difference < BudgetMs ? "within" : "OVER")}"));
        return difference < BudgetMs ? 0 : 1;
    }

    // Addresses of the same length, so only whether one is held tells them apart.
    private static string Held(int i) => string.Create(CultureInfo.InvariantCulture, $"held.{i:D4}@example.org");

    private static string Unknown(int i) => string.Create(CultureInfo.InvariantCulture, $"none.{i:D4}@example.org");

    private static async Task RegisterAsync(HttpClient http, string email)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/studies/{DemoData.StudyId}/participants") { Content = JsonContent.Create(new { name = "Bench Participant", email }) };
        request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Researcher]));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> SubmitAsync(HttpClient http, string email)
    {
        using var response = await http.PostAsJsonAsync("/api/requests", new { studyId = DemoData.StudyId, type = "opt-out", email });
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/requests answered {(int)response.StatusCode}.");
        }

        return (await response.Content.ReadFromJsonAsync<SubmitRequestResponse>())!.RequestId;
    }

    private static async Task WaitForItsWaitAsync(HttpClient http, string requestId)
    {
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < TimeSpan.FromMinutes(1))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/requests/{requestId}");
            request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Dpo]));
            using var response = await http.SendAsync(request);
            var view = await response.Content.ReadFromJsonAsync<RequestView>();
            if (view?.Status is RequestStatus.AwaitingVerification or RequestStatus.AwaitingIdentityCheck)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Request {requestId} did not reach its wait within a minute.");
    }

    private static double Median(List<double> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double P95(List<double> times) => times.Order().ElementAt((int)Math.Ceiling(times.Count * 0.95) - 1);
}
