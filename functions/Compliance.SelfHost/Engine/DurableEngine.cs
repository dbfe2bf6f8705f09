using System.Globalization;
using System.Net;
using Compliance.Storage;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Engine;

/// <summary>
/// The Durable Task engine as Durable Functions runs it in Azure: the Azure Storage orchestration service, here behind the
/// Durable Task gRPC sidecar on a loopback port, which the worker and client of the self-host connect to.
/// </summary>
public sealed class DurableEngine : IAsyncDisposable
{
    private readonly WebApplication sidecar;
    private readonly GuardedOrchestrationService dispatcherService;

    private DurableEngine(WebApplication sidecar, GuardedOrchestrationService dispatcherService, Uri address, string taskHub, int partitionCount)
    {
        this.sidecar = sidecar;
        this.dispatcherService = dispatcherService;
        Address = address;
        TaskHub = taskHub;
        PartitionCount = partitionCount;
    }

    /// <summary>The sidecar's gRPC address.</summary>
    public Uri Address { get; }

    public string TaskHub { get; }

    public int PartitionCount { get; }

    /// <summary>The name this node's partition leases carry (<see cref="DurableEngineOptions.WorkerId"/>).</summary>
    public string WorkerId { get; private init; } = string.Empty;

    /// <summary>Creates the task hub if needed and starts the sidecar.</summary>
    public static async Task<DurableEngine> StartAsync(StorageConnection storage, DurableEngineOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var taskHub = options.TaskHubName;
        var partitionCount = options.PartitionCount;
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = storage.ConnectionString is not null
                ? new StorageAccountClientProvider(storage.ConnectionString)
                : new StorageAccountClientProvider(storage.BlobServiceUri!, storage.QueueServiceUri!, storage.TableServiceUri!, storage.Credential!),
            PartitionCount = partitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
            WorkerId = string.IsNullOrWhiteSpace(options.WorkerId) ? DefaultWorkerId() : options.WorkerId,
            LoggerFactory = loggerFactory,
        };
        settings.LeaseInterval = options.LeaseInterval ?? settings.LeaseInterval;
        settings.LeaseRenewInterval = options.LeaseRenewInterval ?? settings.LeaseRenewInterval;
        settings.LeaseAcquireInterval = options.LeaseAcquireInterval ?? settings.LeaseAcquireInterval;
        var service = new AzureStorageOrchestrationService(settings);

        // The sidecar only starts the service; without the task hub's queues, tables and containers nothing runs.
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));

        builder.Logging.AddFilter("Microsoft.DurableTask.Sidecar", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        // The dispatcher gets the guarded service; the client API (queries, purges) the service itself, which implements them.
        var guarded = new GuardedOrchestrationService(service, loggerFactory.CreateLogger<DurableEngine>());
        builder.Services.AddSingleton<IOrchestrationService>(guarded);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddOptions<TaskHubGrpcServerOptions>();
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DurableEngine(app, guarded, new Uri(address), taskHub, partitionCount) { WorkerId = settings.WorkerId };
    }

    /// <summary>
    /// This node's name among the workers of the task hub: the machine and the process, and a number for each further engine
    /// in one process (tests run several). The backend's default, the machine name alone, made two nodes on one machine one
    /// owner of the partition leases: each renewed the other's leases as its own and both read the same control queues.
    /// </summary>
    private static string DefaultWorkerId()
    {
        var n = Interlocked.Increment(ref enginesStarted);
        var id = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}");
        return n == 1 ? id : string.Create(CultureInfo.InvariantCulture, $"{id}-{n}");
    }

    private static int enginesStarted;

    public async ValueTask DisposeAsync()
    {
        // Bounded: with storage already gone (an emulator stopped first), the backend's stop would retry it for ever.
        await WithinAsync(sidecar.StopAsync(), "the sidecar");

        // The sidecar's own stop runs in an async void handler that StopAsync does not wait for; this waits for it (or does it).
        await WithinAsync(dispatcherService.StopAsync(), "the orchestration service");
        await sidecar.DisposeAsync();
    }

    private static async Task WithinAsync(Task stopping, string what)
    {
        try
        {
            await stopping.WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"The Durable engine: {what} did not stop within {StopTimeout.TotalSeconds:0} s; leaving it.");
        }
    }

    /// <summary>How long each part of the engine is given to stop.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends the sidecar's logs to the self-host's own logging.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// Settings of the engine (configuration section <c>SelfHost:Durable</c>); the task hub name comes from <c>DurableTaskHubName</c>,
/// as in the Functions app's host.json.
/// </summary>
public sealed class DurableEngineOptions
{
    public string TaskHubName { get; set; } = "ComplianceHub";

    /// <summary>Control queues, as host.json's <c>partitionCount</c>.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The longest idle back-off between queue polls. The engine's default of 30 s makes every first step feel stuck locally.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a dequeued orchestration message stays invisible. Messages a killed host had taken reappear after this, so it
    /// bounds how long a crash delays recovery; it must exceed the longest orchestration episode. The engine's default.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The same for activity messages; it must exceed the longest activity.</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// This node's name in the partition leases; unset, the machine name and process id. Two nodes with one name would be one
    /// owner to the backend, so only set it to something unique per node.
    /// </summary>
    public string? WorkerId { get; set; }

    /// <summary>
    /// How long a partition lease lasts unrenewed: a node that dies keeps its partitions this long before another takes them.
    /// Unset, the engine's default (30 s).
    /// </summary>
    public TimeSpan? LeaseInterval { get; set; }

    /// <summary>How often a node renews the partition leases it holds. Unset, the engine's default (10 s).</summary>
    public TimeSpan? LeaseRenewInterval { get; set; }

    /// <summary>
    /// How often a node looks for partitions to take (free, expired, or more than its share of the nodes it sees). Unset, the
    /// engine's default (10 s).
    /// </summary>
    public TimeSpan? LeaseAcquireInterval { get; set; }

    /// <summary>
    /// The workflow version this node starts instances with and the newest it runs (ADR 0015). Always
    /// <see cref="Functions.WorkflowVersion.Current"/> in use; an older value makes a node of an earlier release, for
    /// rehearsing an upgrade (the upgrade tests do).
    /// </summary>
    public string WorkflowVersion { get; set; } = Functions.WorkflowVersion.Current;
}
