using System.Net;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>Every answer carries nosniff and no-store, and the routing's own errors are problem details like the functions'.</summary>
public sealed class ResponseHeaderTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string?, HttpStatusCode> Answers() => new()
    {
        { "GET", "/api/requests", Role.Dpo, HttpStatusCode.OK },
        { "GET", "/api/requests", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/no-such-route", null, HttpStatusCode.NotFound },
        { "DELETE", "/api/requests", Role.Dpo, HttpStatusCode.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Every_answer_carries_nosniff_and_no_store(string method, string path, string? role, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (role is not null)
        {
            request.SignIn(role);
        }

        using var response = await env.Http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(status);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Theory]
    [InlineData("GET", "/api/no-such-route", 404, "urn:compliance:problem:not-found")]
    [InlineData("DELETE", "/api/requests", 405, "urn:compliance:problem:method-not-allowed")]
    [InlineData("PUT", "/api/requests/DSR-20261202-7KQ2M9XA/verify", 405, "urn:compliance:problem:method-not-allowed")]
    public async Task A_routing_error_is_a_problem(string method, string path, int status, string type)
    {
        using var response = await env.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        ((int)response.StatusCode).ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("type").GetString().ShouldBe(type);
    }
}
