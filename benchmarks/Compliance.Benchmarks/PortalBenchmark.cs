using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Benchmarks;

/// <summary>
/// The participant portal's pages as a browser fetches them: bytes transferred per page (HTML and the stylesheet, which
/// every page loads; the budget is 60 KB), and the server's time to answer at light load (a few pages a second, one at a
/// time), p50 and p95, on the self-host with the demo study on an Azurite of its own.
/// </summary>
public static partial class PortalBenchmark
{
    /// <summary>The most a page may transfer, HTML and CSS together.</summary>
    public const int BudgetBytes = 60 * 1024;

    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var perPage = BenchmarkArgs.Option(args, "--requests", 100);
        var rate = BenchmarkArgs.Option(args, "--rate", 5);
        await using var host = await DemoHost.StartAsync("benchportal");
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };

        using var submitted = await http.PostAsJsonAsync("/api/requests", new { studyId = "MPATI", type = "query", email = "bench@example.org", details = "?" });
        var requestId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
        var statusPath = await host.Services.GetRequiredService<StatusLinks>().PathForAsync(requestId);
        var css = (await http.GetByteArrayAsync("/assets/portal.css")).Length;
        Console.WriteLine($"stylesheet {css} bytes; {perPage} requests per page at {rate} a second, one at a time; {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| page | HTML bytes | with CSS | budget | p50 ms | p95 ms |");
        Console.WriteLine("|---|---|---|---|---|---|");

        var overBudget = 0;
        foreach (var (name, path) in new[]
        {
            ("studies", "/"),
            ("the study's notice", "/studies/MPATI"),
            ("request form", "/studies/MPATI/request"),
            ("request sent", $"/studies/MPATI/request/sent?reference={requestId}&type=access"),
            ("code entry", $"/verify?reference={requestId}"),
            ("private status", statusPath),
            ("not found", "/studies/NOSUCH"),
        })
        {
            var (bytes, p50, p95) = await MeasureAsync(http, path, perPage, rate);
            var total = bytes + css;
            overBudget += total > BudgetBytes ? 1 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {bytes:N0} | {total:N0} | {(total <= BudgetBytes ? "within" : "OVER")} | {p50:0.0} | {p95:0.0} |"));
        }

        return overBudget == 0 ? 0 : 1;
    }

    private static async Task<(int Bytes, double P50, double P95)> MeasureAsync(HttpClient http, string path, int count, int rate)
    {
        var times = new List<double>(count);
        var bytes = 0;
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            bytes = body.Length;
            if (i == 0 && ((int)response.StatusCode >= 500 || StylesheetLink().IsMatch(System.Text.Encoding.UTF8.GetString(body)) is false))
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode} without the stylesheet.");
            }

            var rest = interval - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        times.Sort();
        return (bytes, times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1]);
    }


    [GeneratedRegex("<link rel=\"stylesheet\" href=\"/assets/portal.css\">")]
    private static partial Regex StylesheetLink();
}
