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

    private DurableEngine(WebApplication sidecar, Uri address, string taskHub, int partitionCount)
    {
        this.sidecar = sidecar;
        Address = address;
        TaskHub = taskHub;
        PartitionCount = partitionCount;
    }

    /// <summary>The sidecar's gRPC address.</summary>
    public Uri Address { get; }

    public string TaskHub { get; }

    public int PartitionCount { get; }

    /// <summary>Creates the task hub if needed and starts the sidecar.</summary>
    public static async Task<DurableEngine> StartAsync(StorageConnection storage, string taskHub, int partitionCount, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = storage.ConnectionString is not null
                ? new StorageAccountClientProvider(storage.ConnectionString)
                : new StorageAccountClientProvider(storage.BlobServiceUri!, storage.QueueServiceUri!, storage.TableServiceUri!, storage.Credential!),
            PartitionCount = partitionCount,
            // The default backs off to 30 s when idle; locally that makes every first step feel stuck.
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
            LoggerFactory = loggerFactory,
        };
        var service = new AzureStorageOrchestrationService(settings);

        // The sidecar only starts the service; without the task hub's queues, tables and containers nothing runs.
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        foreach (var provider in loggerFactory is null ? [] : new[] { new ForwardingLoggerProvider(loggerFactory) })
        {
            builder.Logging.AddProvider(provider);
        }

        builder.Logging.AddFilter("Microsoft.DurableTask.Sidecar", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddOptions<TaskHubGrpcServerOptions>();
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DurableEngine(app, new Uri(address), taskHub, partitionCount);
    }

    public async ValueTask DisposeAsync()
    {
        await sidecar.StopAsync();
        await sidecar.DisposeAsync();
    }

    /// <summary>Sends the sidecar's logs to the self-host's own logging.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
