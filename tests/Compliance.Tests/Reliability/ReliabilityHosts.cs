using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
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
