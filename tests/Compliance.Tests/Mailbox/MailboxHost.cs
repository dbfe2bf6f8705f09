using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Mailbox;

/// <summary>
/// A self-host as <c>run-local.sh</c> runs it (Development, <c>Mail:Transport</c> none), on an Azurite of its own so the
/// mailbox lists only this class's messages, with the MPATI study copied in. Shared by the tests of a class.
/// </summary>
public sealed class MailboxHost(TestEnvironment env) : IAsyncLifetime
{
    /// <summary>The public address configured for the host, whose links the mailbox makes clickable.</summary>
    public static readonly Uri PublicBaseUrl = new("https://compliance.example.org/");

    private OwnStorage? storage;
    private SelfHostApplication? host;

    public OwnStorage Storage => storage ?? throw new InvalidOperationException("Not started.");

    public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

    public HttpClient Http { get; private set; } = null!;

    public RequestApi Requests { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        storage = await OwnStorage.StartAsync(TestContext.Current.CancellationToken);
        await storage.CopyStudyAsync(env);
        host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage.ConnectionString,
                ["Mail:Transport"] = "none",
                ["Http:PublicBaseUrl"] = PublicBaseUrl.ToString(),
            },
            environment: "Development");
        Http = TestEnvironment.ClientFor(host.BaseAddress);
        Requests = new RequestApi(Http, storage.Tables, storage.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
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
