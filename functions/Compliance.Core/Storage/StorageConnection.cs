using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Compliance.Storage;

/// <summary>
/// The storage account, read from the same setting the Functions host uses (<c>AzureWebJobsStorage</c>): either a connection
/// string (Azurite, <c>UseDevelopmentStorage=true</c>) or identity-based service URIs
/// (<c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>, optionally
/// <c>__credential=managedidentity</c> and <c>__clientId</c>).
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The setting that names the storage account, shared with the Functions host and the Durable backend.</summary>
    public const string SettingName = "AzureWebJobsStorage";

    private StorageConnection(string? connectionString, Uri? blobServiceUri, Uri? queueServiceUri, Uri? tableServiceUri, TokenCredential? credential)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        QueueServiceUri = queueServiceUri;
        TableServiceUri = tableServiceUri;
        Credential = credential;
    }

    /// <summary>The connection string, when the account is reached with one.</summary>
    public string? ConnectionString { get; }

    public Uri? BlobServiceUri { get; }
    public Uri? QueueServiceUri { get; }
    public Uri? TableServiceUri { get; }

    /// <summary>The identity used with the service URIs; null with a connection string.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>A short description for start-up messages, holding no secret.</summary>
    public string Describe() => ConnectionString is not null
        ? $"connection string (blob endpoint {CreateBlobServiceClient().Uri})"
        : $"service URIs with {Credential?.GetType().Name} (blob {BlobServiceUri}, queue {QueueServiceUri}, table {TableServiceUri})";

    /// <summary>Whether <paramref name="configuration"/> names a storage account at all.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SettingName);
        return !string.IsNullOrWhiteSpace(section.Value) || !string.IsNullOrWhiteSpace(section["blobServiceUri"]);
    }

    /// <summary>Reads the connection from configuration, failing with a message that names the missing setting.</summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(section.Value, null, null, null, null);
        }

        var blob = section["blobServiceUri"];
        if (string.IsNullOrWhiteSpace(blob))
        {
            throw new InvalidOperationException(
                $"No storage account is configured: set '{SettingName}' to a connection string, or '{SettingName}__blobServiceUri', " +
                $"'{SettingName}__queueServiceUri' and '{SettingName}__tableServiceUri' to service URIs.");
        }

        var queue = section["queueServiceUri"] ?? throw Missing("queueServiceUri");
        var table = section["tableServiceUri"] ?? throw Missing("tableServiceUri");
        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
        return new StorageConnection(null, new Uri(blob), new Uri(queue), new Uri(table), credential);

        static InvalidOperationException Missing(string key) =>
            new($"'{SettingName}__blobServiceUri' is set but '{SettingName}__{key}' is not; identity-based storage needs all three service URIs.");
    }

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) => ConnectionString is not null
        ? new BlobServiceClient(ConnectionString, options)
        : new BlobServiceClient(BlobServiceUri, Credential, options);

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) => ConnectionString is not null
        ? new TableServiceClient(ConnectionString, options)
        : new TableServiceClient(TableServiceUri, Credential, options);
}
