using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Portal;

/// <summary>
/// A self-host as <c>run-local.sh</c> runs it for a newcomer: Development, <c>Mail:Transport</c> none (so the local mailbox
/// is on), its own Azurite with the demo study seeded, and links made on the address it listens on. Shared by a class.
/// </summary>
public sealed class PortalHost(TestEnvironment env) : IAsyncLifetime
{
    private OwnStorage? storage;
    private SelfHostApplication? host;

    public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>The demo study, seeded on the empty storage as on a first local run.</summary>
    public const string StudyId = "MPATI";

    /// <summary>A demo participant's address (functions/Compliance.SelfHost/Demo); each test that needs a code uses another.</summary>
    public static string DemoParticipant => Compliance.SelfHost.Demo.DemoData.People[0].Email;

    public async ValueTask InitializeAsync()
    {
        storage = await OwnStorage.StartAsync(TestContext.Current.CancellationToken);
        host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage.ConnectionString,
                ["Mail:Transport"] = "none",
                ["SelfHost:SeedDemoData"] = "true",
                ["AzureWebJobs.SendOutbox.Disabled"] = "true",
            },
            environment: "Development");
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        if (storage is not null)
        {
            await storage.DisposeAsync();
        }
    }
}
