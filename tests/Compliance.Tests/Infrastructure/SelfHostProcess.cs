using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// The self-host as a child process (<c>dotnet Compliance.SelfHost.dll</c>), for tests that kill it. It runs on the test run's
/// Azurite with the task hub it is given, and trusts the principal header.
/// </summary>
public sealed class SelfHostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private SelfHostProcess(Process process, StringBuilder output, Uri baseAddress)
    {
        this.process = process;
        this.output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process has printed so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<SelfHostProcess> StartAsync(string storageConnectionString, string taskHub)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.OutputOf("Compliance.SelfHost"),
        };
        start.ArgumentList.Add(Path.Combine(Repository.OutputOf("Compliance.SelfHost"), "Compliance.SelfHost.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["AzureWebJobsStorage"] = storageConnectionString;
        start.Environment["DurableTaskHubName"] = taskHub;
        start.Environment["SelfHost__Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Auth__TrustClientPrincipalHeader"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Messages the killed host had taken reappear after this; the engine's 5-minute default would only make the test slow.
        start.Environment["SelfHost__Durable__ControlQueueVisibilityTimeout"] = "00:00:10";
        start.Environment["SelfHost__Durable__WorkItemQueueVisibilityTimeout"] = "00:00:10";

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the self-host.");
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                ready.TrySetException(new InvalidOperationException("The self-host exited during start-up."));
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.StartsWith("Compliance self-host is running", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new SelfHostProcess(process, output, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        }
        catch (Exception ex)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException("The self-host did not start:\n" + host.Output, ex);
        }

        return host;
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no flushing, as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
