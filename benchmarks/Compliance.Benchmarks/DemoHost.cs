using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Microsoft.Extensions.Configuration;

namespace Compliance.Benchmarks;

/// <summary>
/// The self-host as the page benchmarks run it: an Azurite of its own (in memory), the demo study seeded, the principal
/// header trusted, rate limits off, quiet logs, listening on a free port. Dispose it to stop both.
/// </summary>
public sealed class DemoHost : IAsyncDisposable
{
    private readonly AzuriteProcess azurite;

    private DemoHost(AzuriteProcess azurite, SelfHostApplication host)
    {
        this.azurite = azurite;
        Host = host;
    }

    public SelfHostApplication Host { get; }

    public Uri BaseAddress => Host.BaseAddress;

    public IServiceProvider Services => Host.Services;

    /// <summary>Starts Azurite and the self-host on a task hub named <paramref name="taskHubPrefix"/> and a random suffix.</summary>
    public static async Task<DemoHost> StartAsync(string taskHubPrefix)
    {
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run scripts/ensure-tools.sh first: Azurite is not installed.");
        var azurite = await AzuriteProcess.StartAsync(root, dataPath: null, 0, 0, 0, CancellationToken.None);
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["DurableTaskHubName"] = taskHubPrefix + Guid.NewGuid().ToString("N")[..8],
                ["SelfHost:Urls"] = "http://127.0.0.1:0",
                ["SelfHost:SeedDemoData"] = "true",
                ["Auth:TrustClientPrincipalHeader"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
                ["RateLimits:Enabled"] = "false",
            };
            return new DemoHost(azurite, await SelfHostApplication.StartAsync([], c => c.AddInMemoryCollection(settings)));
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await azurite.DisposeAsync();
    }
}
