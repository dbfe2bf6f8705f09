using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>What the reliability tests share: a host on storage that misbehaves, and the checks of what it leaves.</summary>
public static class ReliabilityHosts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Starts a self-host (app and engine) whose storage is <paramref name="connectionString"/> (a fault proxy's, or an Azurite
    /// that is restarted), with a task hub of its own and the engine's visibility timeouts at 10 s.
    /// </summary>
    public static Task<SelfHostApplication> StartHostAsync(TestEnvironment env, string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase)
        {
            [StorageConnection.SettingName] = connectionString,

            // A call that failed after it took effect (or storage that went away) can leave the engine holding a message it no
            // longer tracks; it comes back after this, as after a crash (SelfHostProcess does the same), instead of the
            // 5-minute default.
            ["SelfHost:Durable:ControlQueueVisibilityTimeout"] = "00:00:10",
            ["SelfHost:Durable:WorkItemQueueVisibilityTimeout"] = "00:00:10",
        };
        return env.StartHostAsync(trustPrincipalHeader: true, values, configureServices);
    }

    /// <summary>Starts a self-host whose app and engine reach storage through <paramref name="proxy"/>.</summary>
    public static Task<SelfHostApplication> StartHostOnAsync(TestEnvironment env, StorageFaultProxy proxy, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return StartHostAsync(env, proxy.ConnectionString, settings);
    }

    /// <summary>
    /// The problems <c>GET /api/audit/verify</c> on <paramref name="http"/> reports in the chains of <paramref name="studyIds"/>
    /// (other tests tamper with theirs).
    /// </summary>
    public static async Task<List<string>> AuditProblemsAsync(HttpClient http, IEnumerable<string> studyIds)
    {
        ArgumentNullException.ThrowIfNull(http);
        var chains = studyIds.Select(id => "study:" + id).ToHashSet(StringComparer.Ordinal);
        using var response = await http.SendAsync(Staff.Get("/api/audit/verify", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return result.GetProperty("problems").EnumerateArray()
            .Where(p => chains.Contains(p.GetProperty("chain").GetString()!))
            .Select(p => p.GetRawText())
            .ToList();
    }

    /// <summary>
    /// Each request's work done once, all checked (every failure named in one assertion): one start and one completion in the
    /// engine's history (<paramref name="taskHub"/> on <paramref name="tables"/>), one request per study, completed once in
    /// the product; then every study's audit chain verifies (through <paramref name="http"/>).
    /// </summary>
    public static async Task AssertEachCompletedOnceAsync(RequestApi api, TableServiceClient tables, HttpClient http, string taskHub, IReadOnlyList<string> types, IReadOnlyList<RequestJourney.Subject> subjects, IReadOnlyList<string> requestIds)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentNullException.ThrowIfNull(requestIds);
        var history = tables.GetTableClient(taskHub + "History");
        var checks = new Dictionary<string, Task<string>>(StringComparer.Ordinal);
        for (var i = 0; i < types.Count; i++)
        {
            var (type, subject, requestId) = (types[i], subjects[i], requestIds[i]);
            checks[type] = CheckAsync(async () =>
            {
                var engine = await RequestJourney.EngineEventsAsync(history, requestId);
                engine.Count(e => e == "ExecutionStarted").ShouldBe(1, "one start in the engine");
                engine.Count(e => e == "ExecutionCompleted").ShouldBe(1, "one completion in the engine");
                (await api.Store.ListAsync(null, subject.StudyId, Ct)).Select(r => r.RequestId).ShouldBe([requestId], "one stored request");
                await RequestJourney.AssertCompletedOnceAsync(api, tables, type, requestId, subject);
            });
        }

        await Task.WhenAll(checks.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        Failures(checks).ShouldBeEmpty();
        (await AuditProblemsAsync(http, subjects.Select(s => s.StudyId))).ShouldBeEmpty("every study's audit chain verifies");
    }

    /// <summary>Runs <paramref name="check"/> as a task whose failure <see cref="Failures"/> can name, beside the others.</summary>
    public static async Task<string> CheckAsync(Func<Task> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        await check();
        return string.Empty;
    }

    /// <summary>Each failed run, named, with its first message line: all of them in one assertion, not the first alone.</summary>
    public static List<string> Failures<T>(Dictionary<string, Task<T>> runs) =>
        runs.Where(r => r.Value.IsFaulted)
            .Select(r => $"{r.Key}: {r.Value.Exception!.InnerException!.GetType().Name}: {r.Value.Exception.InnerException.Message}")
            .ToList();
}
