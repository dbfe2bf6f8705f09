using System.Security.Cryptography;
using Azure.Core;
using Compliance.Functions.Mail.Graph;
using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>
/// A self-host on the test Azurite with the Graph connector configured against a <see cref="FakeGraph"/>, with a research
/// mailbox of its own (so the connector's state in MailConnector is its own) and timers that do not fire during a test.
/// </summary>
public sealed class GraphConnectorHost : IAsyncDisposable
{
    /// <summary>A schedule that does not come round during a test run: the tests call the timer functions themselves.</summary>
    public const string Never = "0 0 0 1 1 *";

    /// <summary>The public notification address the connector subscribes with; the fake delivers it to the host under test.</summary>
    public const string NotificationUrl = "https://compliance.example.org/api/mail/graph-notifications";

    private GraphConnectorHost(FakeGraph graph, SelfHostApplication host, string clientState)
    {
        Graph = graph;
        Host = host;
        ClientState = clientState;
    }

    public FakeGraph Graph { get; }

    public SelfHostApplication Host { get; }

    public string ClientState { get; }

    public DurableTaskClient Durable => Host.Services.GetRequiredService<DurableTaskClient>();

    public static async Task<GraphConnectorHost> StartAsync(TestEnvironment env, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var mailbox = $"research-{Guid.NewGuid():N}@example.org";
        var graph = await FakeGraph.StartAsync(mailbox);
        var clientState = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var values = new Dictionary<string, string?>
        {
            ["Graph:TenantId"] = graph.TenantId,
            ["Graph:ClientId"] = Guid.NewGuid().ToString(),
            ["Graph:ClientSecret"] = "the-tests-sign-in-with-the-fake-credential",
            ["Graph:Mailbox"] = mailbox,
            ["Graph:ClientState"] = clientState,
            ["Graph:NotificationUrl"] = NotificationUrl,
            ["Graph:BaseUrl"] = graph.BaseUrl,
            [GraphSubscriptionTimer.ScheduleSetting] = Never,
            [GraphDeltaCatchUp.ScheduleSetting] = Never,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            values,
            services => services.AddKeyedSingleton<TokenCredential>(GraphMailbox.CredentialKey, graph.Credential));
        graph.NotificationTarget = host.BaseAddress;
        return new GraphConnectorHost(graph, host, clientState);
    }

    /// <summary>A function class as the host would make it for one call.</summary>
    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Host.Services);

    /// <summary>
    /// A fictional message to the mailbox with a Message-ID of its own. It is an automatic message, which screening ignores,
    /// so its intake work is short; the connector does not look inside.
    /// </summary>
    public static (byte[] Mime, string MessageId) NewMessage(string mailbox)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alex Example", $"alex.{Guid.NewGuid():N}@example.org"));
        message.To.Add(MailboxAddress.Parse(mailbox));
        message.Subject = "Automatic reply: please delete my details";
        message.MessageId = $"{Guid.NewGuid():N}@mail.example.org";
        message.Headers.Add("Auto-Submitted", "auto-replied");
        message.Body = new TextPart("plain") { Text = "I am out of the office until Monday." };
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return (buffer.ToArray(), "<" + message.MessageId + ">");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Graph.DisposeAsync();
    }
}
