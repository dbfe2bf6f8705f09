using System.Diagnostics;
using System.Text.RegularExpressions;
using Compliance.SelfHost;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// The self-host as a child process (<c>dotnet Compliance.SelfHost.dll</c>), for tests that kill it. It runs on the test run's
/// Azurite with the task hub it is given, trusts the principal header, and has its timer functions off (<see cref="TimerSwitches"/>).
/// </summary>
public sealed partial class SelfHostProcess : IAsyncDisposable
{
    private readonly ChildProcess process;

    private SelfHostProcess(ChildProcess process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process has printed so far.</summary>
    public string Output => process.Output;

    /// <summary>The process's id (the self-host runs in the <c>dotnet</c> process itself).</summary>
    public int ProcessId => process.Process.Id;

    /// <summary>The name its engine gives itself in the partition leases, unless told otherwise: machine name and process id.</summary>
    public string DefaultWorkerId => $"{Environment.MachineName}-{ProcessId}";

    public bool HasExited => process.Process.HasExited;

    public static async Task<SelfHostProcess> StartAsync(string storageConnectionString, string taskHub, IReadOnlyDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.OutputOf("Compliance.SelfHost") };
        start.ArgumentList.Add(Path.Combine(Repository.OutputOf("Compliance.SelfHost"), "Compliance.SelfHost.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["AzureWebJobsStorage"] = storageConnectionString;
        start.Environment["DurableTaskHubName"] = taskHub;
        // Port 0: the process binds a free port itself and prints it. A port picked here and freed for the child to take
        // could be taken in between by anything else starting on the machine (another test's Azurite, say).
        start.Environment["SelfHost__Urls"] = "http://127.0.0.1:0";
        start.Environment["Auth__TrustClientPrincipalHeader"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["RateLimits__Enabled"] = "false";

        // Messages the killed host had taken reappear after this; the engine's 5-minute default would only make the test slow.
        start.Environment["SelfHost__Durable__ControlQueueVisibilityTimeout"] = "00:00:10";
        start.Environment["SelfHost__Durable__WorkItemQueueVisibilityTimeout"] = "00:00:10";
        foreach (var (key, value) in TimerSwitches.AllOffAsEnvironment())
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        // Ready when the banner, printed once the host is running, says where its HTTP API listens.
        Uri? baseAddress = null;
        var process = await ChildProcess.StartAsync(
            start,
            line =>
            {
                var match = ApiLine().Match(line);
                if (match.Success)
                {
                    baseAddress = new Uri(match.Groups["base"].Value);
                }

                return match.Success;
            },
            TimeSpan.FromSeconds(90),
            TestContext.Current.CancellationToken);
        return new SelfHostProcess(process, baseAddress!);
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no flushing, as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.Process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        process.Kill();
        await process.Process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>The banner's line for the HTTP API (<c>  HTTP API      http://127.0.0.1:PORT/api</c>), after "is running".</summary>
    [GeneratedRegex(@"^\s+HTTP API\s+(?<base>http://[^/\s]+)/")]
    private static partial Regex ApiLine();
}
