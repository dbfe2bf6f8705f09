using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Compliance.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Benchmarks;

/// <summary>
/// A retention sweep of a study of N blobs through the self-host, next to, on the same Azurite in the same run, a naive
/// one-by-one delete loop with the Azure SDK and raw parallel deletes with no bookkeeping, each on N blobs of its own.
/// </summary>
public static class RetentionBenchmark
{
    public static async Task<int> RunFromArgsAsync(string[] args)
    {
        var blobs = Option(args, "--blobs", 20_000);
        var parallel = Option(args, "--parallel", 64);
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        await using var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);
        Console.WriteLine($"Azurite on blob {azurite.BlobPort}; {blobs} blobs per run, raw parallel deletes {parallel} at a time, {Environment.ProcessorCount} cores");

        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["DurableTaskHubName"] = "benchret" + Guid.NewGuid().ToString("N")[..8],
            ["SelfHost:Urls"] = "http://127.0.0.1:0",
            ["SelfHost:SeedDemoData"] = "false",
            ["Auth:TrustClientPrincipalHeader"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var host = await SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings));
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var service = new BlobServiceClient(azurite.ConnectionString);
        var recordings = service.GetBlobContainerClient(StorageLayout.Containers.Recordings);

        var naiveStudy = await RegisterStudyAsync(http, "BNAIVE");
        var rawStudy = await RegisterStudyAsync(http, "BRAW");
        var sweptStudy = await RegisterStudyAsync(http, "BSWEEP");
        // Each run's blobs are uploaded just before it, so every run meets the same number of blobs in the container
        // (Azurite's in-memory store slows as it fills, which would favour whichever run came last).
        await UploadTimedAsync(recordings, naiveStudy, blobs);
        var naive = await TimeAsync(async () =>
        {
            foreach (var name in await NamesAsync(recordings, naiveStudy))
            {
                await recordings.DeleteBlobAsync(name);
            }
        });
        await UploadTimedAsync(recordings, rawStudy, blobs);
        var raw = await TimeAsync(async () =>
            await Parallel.ForEachAsync(await NamesAsync(recordings, rawStudy), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, ct) => await recordings.DeleteBlobAsync(name, cancellationToken: ct)));
        await UploadTimedAsync(recordings, sweptStudy, blobs);
        RetentionSweepResult? result = null;
        var sweep = await TimeAsync(async () => result = await SweepAsync(http, host.Services.GetRequiredService<DurableTaskClient>(), sweptStudy));

        if ((await NamesAsync(recordings, sweptStudy)).Count > 0 || result!.Deleted != blobs)
        {
            throw new InvalidOperationException($"The sweep left blobs behind or certified {result?.Deleted} of {blobs}.");
        }

        Console.WriteLine();
        Console.WriteLine("| run | blobs | seconds | blobs per second |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(Row("naive: one DeleteBlobAsync after another", blobs, naive));
        Console.WriteLine(Row($"raw parallel: DeleteBlobAsync, {parallel} at a time, no bookkeeping", blobs, raw));
        Console.WriteLine(Row("retention sweep: inventory, batches, verification, certificate", blobs, sweep));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep / naive: {naive.TotalSeconds / sweep.TotalSeconds:0.00}x (goal at least 10x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep / raw parallel: {raw.TotalSeconds / sweep.TotalSeconds * 100:0}% (goal at least 70%)"));
        Console.WriteLine($"certificate {result!.CertificateId}: {result.Deleted} items, {result.StillPresent} still present");
        return 0;
    }

    private static async Task UploadTimedAsync(BlobContainerClient container, string studyId, int blobs)
    {
        var watch = Stopwatch.StartNew();
        await UploadAsync(container, studyId, blobs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uploaded {blobs} blobs for {studyId} in {watch.Elapsed.TotalSeconds:0.0} s (not timed)"));
    }

    private static async Task<string> RegisterStudyAsync(HttpClient http, string prefix)
    {
        var studyId = prefix + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        await SendAsync(http, HttpMethod.Put, $"/api/studies/{studyId}", new { title = "Benchmark", endOfDataCollection = "2024-08-30", policyFile = "mpati" });
        await SendAsync(http, HttpMethod.Post, $"/api/studies/{studyId}/publication", new { publishedOn = "2024-10-01" });
        return studyId;
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Researcher]));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Blobs named as uploads are, <c>{studyId}/{sessionId}/{artifactId}.wav</c>, 100 to a session, 1 KB each.</summary>
    private static Task UploadAsync(BlobContainerClient container, string studyId, int count) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, ct) => await container.GetBlobClient($"{studyId}/S-B{i / 100:D6}/A-{i:D8}.wav").UploadAsync(new BinaryData(new byte[1024]), ct));

    private static async Task<List<string>> NamesAsync(BlobContainerClient container, string studyId)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = studyId + "/" }))
        {
            names.Add(item.Name);
        }

        return names;
    }

    private static async Task<RetentionSweepResult> SweepAsync(HttpClient http, DurableTaskClient durable, string studyId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/retention/run") { Content = JsonContent.Create(new { studyId }) };
        request.Headers.Add(ClientPrincipal.HeaderName, ClientPrincipal.Encode("bench", [Role.Dpo]));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var started = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sweeps")[0];
        if (!started.GetProperty("started").GetBoolean())
        {
            throw new InvalidOperationException($"The sweep did not start: {started}");
        }

        var instanceId = RetentionSweepOrchestration.InstanceIdFor(studyId);
        while (true)
        {
            var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (instance is { IsCompleted: true })
            {
                return instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                    ? instance.ReadOutputAs<RetentionSweepResult>()!
                    : throw new InvalidOperationException($"The sweep ended {instance.RuntimeStatus}: {instance.FailureDetails}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        return watch.Elapsed;
    }

    private static string Row(string name, int blobs, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {blobs} | {elapsed.TotalSeconds:0.0} | {blobs / elapsed.TotalSeconds:0} |");

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }
}
