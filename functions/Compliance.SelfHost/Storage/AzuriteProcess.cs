using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Compliance.SelfHost.Storage;

/// <summary>
/// Azurite, the Azure Storage emulator, run from the repository's own npm install (<c>npm ci</c> puts it in
/// <c>node_modules</c>), on loopback only and always with <c>--skipApiVersionCheck</c>: the Azure SDKs and the Durable storage
/// backend send service versions newer than Azurite accepts.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    private static readonly string[] SetsidPaths = ["/usr/bin/setsid", "/bin/setsid"];

    /// <summary>Azurite's well-known development account key (public, documented by Microsoft; not a secret).</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ChildProcess process;
    private readonly string? pidFile;

    private AzuriteProcess(ChildProcess process, int blobPort, int queuePort, int tablePort, string? pidFile)
    {
        this.process = process;
        this.pidFile = pidFile;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    /// <summary>The connection string for this Azurite.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};") +
        string.Create(CultureInfo.InvariantCulture, $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;");

    /// <summary>Finds the directory holding <c>node_modules/.bin/azurite</c>, from <paramref name="startDirectories"/> upwards.</summary>
    public static string? FindRepositoryRoot(params string[] startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "node_modules", "azurite", "package.json")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Starts Azurite and waits until all three services listen. With <paramref name="dataPath"/> it keeps data on disk there
    /// (a restart keeps everything); without, in memory. Ports of 0 pick free ones.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string repositoryRoot, string? dataPath, int blobPort, int queuePort, int tablePort, CancellationToken cancellationToken)
    {
        var entry = Path.Combine(repositoryRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"Azurite is not installed under {repositoryRoot}; run 'npm ci' there first.");
        }

        string? pidFile = null;
        if (dataPath is not null)
        {
            Directory.CreateDirectory(dataPath);
            pidFile = Path.Combine(dataPath, "azurite.pid");
            StopLeftover(pidFile);
            foreach (var port in new[] { blobPort, queuePort, tablePort }.Where(p => p != 0))
            {
                if (!IsPortFree(port))
                {
                    throw new InvalidOperationException(
                        $"Port {port} is in use, so Azurite cannot start on it. Stop what uses it, choose other ports with " +
                        "SelfHost__Azurite__BlobPort/QueuePort/TablePort, or point AzureWebJobsStorage at a running emulator.");
                }
            }
        }

        // In a session of its own where setsid exists (Linux): a terminal's Ctrl+C then reaches the self-host alone, which
        // stops the engine while storage is still up and stops Azurite last. Azurite stopped first by the same Ctrl+C would
        // leave the engine's shutdown waiting on storage that is gone.
        var setsid = OperatingSystem.IsLinux() ? SetsidPaths.FirstOrDefault(File.Exists) : null;
        var start = new ProcessStartInfo(setsid ?? "node") { WorkingDirectory = repositoryRoot };
        if (setsid is not null)
        {
            start.ArgumentList.Add("node");
        }

        foreach (var arg in new[]
                 {
                     entry, "--skipApiVersionCheck", "--disableTelemetry", "--loose",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
                     "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
                     "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        if (dataPath is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataPath);
        }

        // Ready when all three services say where they listen (with port 0 that is the only way to learn the ports).
        var ports = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var process = await ChildProcess.StartAsync(
            start,
            line =>
            {
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture);
                }

                return ports.Count == 3;
            },
            TimeSpan.FromSeconds(60),
            cancellationToken);

        if (pidFile is not null)
        {
            await File.WriteAllTextAsync(pidFile, process.Process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        return new AzuriteProcess(process, ports["Blob"], ports["Queue"], ports["Table"], pidFile) { DataPath = dataPath };
    }

    /// <summary>The folder Azurite keeps its data in, or null when it runs in memory.</summary>
    public string? DataPath { get; private init; }

    /// <summary>
    /// Stops Azurite as its own Ctrl+C does (SIGTERM on Linux and macOS): it stops taking calls, writes what it holds in
    /// memory to its data folder and exits. Its metadata (LokiJS) is otherwise saved every 5 seconds, so a kill loses up to
    /// the last 5 seconds of writes it had acknowledged. Killed after <paramref name="grace"/> if it has not exited by then;
    /// returns whether it exited by itself. Where there is no SIGTERM (Windows) it is killed.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (process.Process.HasExited)
        {
            return true;
        }

        if (!OperatingSystem.IsWindows())
        {
            using var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (term is not null)
            {
                await term.WaitForExitAsync(cancellationToken);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(grace);
            try
            {
                await process.Process.WaitForExitAsync(timeout.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not gone within the grace: killed below.
            }
        }

        process.Kill();
        await process.Process.WaitForExitAsync(cancellationToken);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        // On disk, what Azurite acknowledged in its last seconds is only in its memory until it is stopped properly.
        if (DataPath is not null)
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }

        process.Kill();
        await process.Process.WaitForExitAsync();
        process.Dispose();
        if (pidFile is not null)
        {
            File.Delete(pidFile);
        }
    }

    /// <summary>A self-host killed hard leaves its Azurite running; stop that one (and only that one) before starting again.</summary>
    private static void StopLeftover(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        try
        {
            using var leftover = Process.GetProcessById(pid);
            if (leftover.ProcessName.Contains("node", StringComparison.OrdinalIgnoreCase))
            {
                leftover.Kill(entireProcessTree: true);
                leftover.WaitForExit(10_000);
            }
        }
        catch (ArgumentException)
        {
            // No such process any more.
        }

        File.Delete(pidFile);
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
