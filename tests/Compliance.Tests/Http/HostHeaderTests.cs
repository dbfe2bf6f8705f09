using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>The links in an answer come from the configured public address, never from the Host header the caller chose.</summary>
public sealed class HostHeaderTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Submission(string host)
    {
        var request = Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId = TestEnvironment.StudyId, type = "query", email = $"h.{Guid.NewGuid():N}@example.org", details = "Which data?" }));
        request.Headers.Host = host;
        return request;
    }

    [Fact]
    public async Task A_forged_Host_header_is_not_reflected_into_the_status_link()
    {
        using var response = await env.Http.SendAsync(Submission("attacker.example"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("statusUrl").GetString()!;
        // Unconfigured, the self-host's links point at where it listens.
        statusUrl.ShouldStartWith(new Uri(env.Host.BaseAddress, "/api/requests/DSR-").ToString());
        response.Headers.Location!.ToString().ShouldNotContain("attacker");
    }

    [Fact]
    public async Task With_a_public_address_configured_the_status_link_is_absolute_on_it()
    {
        await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["Http:PublicBaseUrl"] = "https://compliance.example.org" });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);

        using var response = await http.SendAsync(Submission("attacker.example"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("statusUrl").GetString()!;
        statusUrl.ShouldStartWith("https://compliance.example.org/api/requests/DSR-");
        response.Headers.Location!.ToString().ShouldBe(statusUrl);
    }
}
