using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.Storage;

/// <summary>Creates every table and container of <see cref="StorageLayout"/> when a host starts, so no code path meets a missing one.</summary>
public sealed class StorageInitializer(TableServiceClient tables, BlobServiceClient blobs, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            StorageLayout.Tables.All.Select(t => tables.CreateTableIfNotExistsAsync(t, cancellationToken))
                .Concat<Task>(StorageLayout.Containers.All.Select(c => blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken))));
        logger.LogInformation("Storage ready: {TableCount} tables, {ContainerCount} containers", StorageLayout.Tables.All.Count, StorageLayout.Containers.All.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
