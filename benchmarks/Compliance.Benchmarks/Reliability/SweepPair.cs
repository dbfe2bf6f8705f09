using System.Net;
using System.Text;
using System.Text.Json;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Benchmarks.Reliability;

/// <summary>
/// Two studies with the same material (an interview's recording, transcript and notes, of a participant): one published
/// long enough ago to be due for deletion, one without a publication date, which no sweep may touch. Both are swept.
/// </summary>
internal sealed class SweepPair
{
    private SweepPair(string due, string untouched, List<string> dueBlobs, List<string> untouchedBlobs)
    {
        Due = due;
        Untouched = untouched;
        DueBlobs = dueBlobs;
        UntouchedBlobs = untouchedBlobs;
    }

    public string Due { get; }

    public string Untouched { get; }

    /// <summary>The blobs of each study before the sweep: container/name#snapshot.</summary>
    public List<string> DueBlobs { get; }

    public List<string> UntouchedBlobs { get; }

    public bool Started { get; private set; }

    public static async Task<SweepPair> ArrangeAsync(HttpClient http, SoakBenchmark.Storage storage)
    {
        var due = await StudyWithMaterialAsync(http);
        var untouched = await StudyWithMaterialAsync(http);
        using var publish = await http.SendAsync(Staff.PostJson($"/api/studies/{due}/publication", JsonSerializer.Serialize(new { publishedOn = "2024-09-30" }), Role.Researcher));
        publish.EnsureSuccessStatusCode();
        return new SweepPair(due, untouched, await SoakBenchmark.BlobsOfStudyAsync(storage.Blobs, due), await SoakBenchmark.BlobsOfStudyAsync(storage.Blobs, untouched));
    }

    /// <summary>Asks for a sweep of both studies, as the DPO's <c>POST /api/retention/run</c> does.</summary>
    public async Task StartAsync(HttpClient http)
    {
        foreach (var studyId in new[] { Due, Untouched })
        {
            using var response = await http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo));
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/retention/run answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        Started = true;
    }

    /// <summary>The due study's blobs all gone and each certified once; the other study's all still there.</summary>
    public async Task ReconcileAsync(HttpClient http, SoakBenchmark.Storage storage, DurableTaskClient durable, Reconciliation report)
    {
        var name = $"sweep of {Due}";
        var instance = await Eventually.GetAsync(() => durable.GetInstanceAsync(RetentionSweepOrchestration.InstanceIdFor(Due), true), i => i is { IsCompleted: true }, TimeSpan.FromMinutes(3), name);
        var result = instance!.ReadOutputAs<RetentionSweepResult>();
        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed || result?.CertificateId is null)
        {
            report.Lost($"{name}: {instance.RuntimeStatus} {result?.Outcome} {instance.FailureDetails?.ErrorMessage}");
            return;
        }

        foreach (var left in await SoakBenchmark.BlobsOfStudyAsync(storage.Blobs, Due))
        {
            report.Lost($"{name}: {left} not deleted");
        }

        var certificate = await SoakBenchmark.GetJsonAsync(http, $"/api/certificates/{result.CertificateId}", Role.Dpo);
        var items = certificate.GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("container").GetString()}/{i.GetProperty("blobName").GetString()}#{i.GetProperty("snapshot").GetString()}")
            .ToList();
        foreach (var twice in items.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            report.Duplicated($"{name}: {twice.Key} certified {twice.Count()} times");
        }

        foreach (var uncertified in DueBlobs.Except(items, StringComparer.Ordinal))
        {
            report.Lost($"{name}: {uncertified} deleted but not on the certificate");
        }

        foreach (var gone in UntouchedBlobs.Except(await SoakBenchmark.BlobsOfStudyAsync(storage.Blobs, Untouched), StringComparer.Ordinal))
        {
            report.WronglyDeleted($"{Untouched} (no publication date): {gone} deleted");
        }
    }

    private static async Task<string> StudyWithMaterialAsync(HttpClient http)
    {
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var participantId = await StudyApi.RegisterParticipantAsync(http, studyId, $"swept.{Guid.NewGuid():N}@example.org");
        var sessionId = await StudyApi.RegisterSessionAsync(http, studyId, SessionKind.Interview, "2024-07-10", participantId);
        await StudyApi.UploadAsync(http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes("Interviewer: Thank you."), "text/plain");
        await StudyApi.UploadAsync(http, studyId, sessionId, ArtifactKind.Notes, Encoding.UTF8.GetBytes("Notes of the interview."), "text/plain");
        return studyId;
    }
}
