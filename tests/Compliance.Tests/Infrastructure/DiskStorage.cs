using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Compliance.SelfHost.Storage;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// An Azurite of one test's own that keeps its data on disk (a temporary folder) and can be stopped and started again on the
/// same folder and ports, so clients and hosts given <see cref="ConnectionString"/> reach it again once it is back. Stopped
/// as Azurite's own Ctrl+C stops it (SIGTERM: it saves what it holds in memory first, <see cref="AzuriteProcess.StopAsync"/>).
/// Dispose it when done; the folder goes with it.
/// </summary>
public sealed class DiskStorage : IAsyncDisposable
{
    private readonly string folder;
    private AzuriteProcess? azurite;

    private DiskStorage(string folder, AzuriteProcess azurite)
    {
        this.folder = folder;
        this.azurite = azurite;
        ConnectionString = azurite.ConnectionString;
        Tables = new TableServiceClient(ConnectionString);
        Blobs = new BlobServiceClient(ConnectionString);
        Queues = new QueueServiceClient(ConnectionString);
    }

    /// <summary>The folder Azurite keeps its data in.</summary>
    public string Folder => folder;

    /// <summary>The same before and after a restart: the ports are kept.</summary>
    public string ConnectionString { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>Whether Azurite exited by itself when last stopped (false: it was killed after the grace).</summary>
    public bool StoppedCleanly { get; private set; }

    /// <summary>How long the last stop took, from the signal to the process's exit.</summary>
    public TimeSpan LastStop { get; private set; }

    public static async Task<DiskStorage> StartAsync(CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "azurite-" + Guid.NewGuid().ToString("N")[..12]);
        return new DiskStorage(folder, await AzuriteProcess.StartAsync(Repository.Root, folder, 0, 0, 0, cancellationToken));
    }

    /// <summary>Stops Azurite gracefully; every call fails (connection refused) until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        var running = azurite ?? throw new InvalidOperationException("Not running.");
        azurite = null;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        StoppedCleanly = await running.StopAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        LastStop = watch.Elapsed;
        await running.DisposeAsync();
    }

    /// <summary>Starts Azurite again on the same folder and ports.</summary>
    public async Task StartAgainAsync()
    {
        if (azurite is not null)
        {
            throw new InvalidOperationException("Already running.");
        }

        var ports = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        int Port(string key) => new Uri((string)ports[key]).Port;
        azurite = await AzuriteProcess.StartAsync(Repository.Root, folder, Port("BlobEndpoint"), Port("QueueEndpoint"), Port("TableEndpoint"), TestContext.Current.CancellationToken);
        azurite.ConnectionString.ShouldBe(ConnectionString, "the same ports again");
    }

    public async ValueTask DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temporary folder is left for the system to clear.
        }
    }
}
