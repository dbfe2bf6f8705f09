using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Compliance.Storage;
using Compliance.Studies;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// An Azurite of one test's (or one class's) own, in memory on free ports, for work that acts on everything in storage:
/// the outbox timer sends the whole <c>mail-outbox</c>, the mail catch-up starts every stored message, the supplier check
/// suspends every lapsed supplier. On the shared Azurite such work would reach other tests' data. Dispose it when done.
/// </summary>
public sealed class OwnStorage : IAsyncDisposable
{
    private readonly AzuriteProcess azurite;

    private OwnStorage(AzuriteProcess azurite)
    {
        this.azurite = azurite;
        Tables = new TableServiceClient(azurite.ConnectionString);
        Blobs = new BlobServiceClient(azurite.ConnectionString);
    }

    public string ConnectionString => azurite.ConnectionString;

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public static async Task<OwnStorage> StartAsync(CancellationToken cancellationToken)
    {
        var storage = new OwnStorage(await AzuriteProcess.StartAsync(Repository.Root, dataPath: null, 0, 0, 0, cancellationToken));
        try
        {
            // Every table and container, as a host creates them at start, so a test can write before its host runs.
            await new StorageInitializer(storage.Tables, storage.Blobs, NullLogger<StorageInitializer>.Instance).StartAsync(cancellationToken);
            return storage;
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Registers <paramref name="studyId"/> here as it is registered in <paramref name="env"/>'s storage (the shared MPATI
    /// study unless told), with the same policy text, so work that starts as soon as a host does finds its study.
    /// </summary>
    public async Task CopyStudyAsync(TestEnvironment env, string studyId = TestEnvironment.StudyId)
    {
        ArgumentNullException.ThrowIfNull(env);
        var study = await new StudyStore(env.Tables).FindStudyAsync(studyId, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"Study {studyId} is not registered in the shared storage.");
        await new StudyStore(Tables).UpsertStudyAsync(study, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Starts a self-host on this storage (as <see cref="TestEnvironment.StartHostAsync"/> does on the shared one, timers
    /// off unless <paramref name="settings"/> switches one on); dispose it before this storage.
    /// </summary>
    public Task<SelfHostApplication> StartHostAsync(TestEnvironment env, IDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase)
        {
            [StorageConnection.SettingName] = ConnectionString,
        };
        return env.StartHostAsync(trustPrincipalHeader: true, values, configureServices);
    }

    public ValueTask DisposeAsync() => azurite.DisposeAsync();
}
