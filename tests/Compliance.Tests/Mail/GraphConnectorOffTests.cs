using System.Net;
using System.Text.Json;
using Compliance.Functions.Mail.Graph;
using Compliance.Mail;
using Compliance.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Mail;

/// <summary>Without Graph settings (the local default) the connector is off: a clear 404, timers that do nothing, no transport.</summary>
public sealed class GraphConnectorOffTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/mail/graph-notifications?validationToken=abc")]
    [InlineData("/api/mail/graph-notifications")]
    public async Task The_webhook_answers_404_not_configured(string path)
    {
        using var content = new StringContent("""{"value":[]}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await env.Http.PostAsync(path, content, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        problem.RootElement.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:not-configured");
    }

    [Fact]
    public async Task The_timers_do_nothing_and_there_is_no_graph_transport()
    {
        // The credential of an unconfigured connector throws if asked for a token, so a timer that called Graph would fail.
        var services = env.Host.Services;

        (await ActivatorUtilities.CreateInstance<GraphSubscriptionTimer>(services).EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Off);
        await ActivatorUtilities.CreateInstance<GraphDeltaCatchUp>(services).CatchUpGraphInbox(new TimerInfo(), env.Durable, Ct);

        services.GetKeyedService<IMailTransport>(GraphMailTransport.TransportName).ShouldBeNull();
        services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GraphOptions>>().Value.Missing.ShouldContain("Graph:Mailbox");
    }
}
