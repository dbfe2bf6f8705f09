using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Identity;

/// <summary>Every route of the foundation against every role, a missing principal and a malformed one.</summary>
public sealed class RouteAuthorizationTests(TestEnvironment env)
{
    /// <summary>A request with a staff-only field, from an address of its own so it meets no other test's requests on the shared study.</summary>
    private static string StaffOnlyBody() => $$"""{"studyId":"MPATI","type":"query","email":"p.{{Guid.NewGuid():N}}@example.org","channel":"phone"}""";

    public static TheoryData<string, HttpStatusCode> GetRequestByRole => new()
    {
        { Role.Dpo, HttpStatusCode.NotFound },
        { Role.Researcher, HttpStatusCode.NotFound },
        { Role.Admin, HttpStatusCode.NotFound },
        { Role.OnsAnalyst, HttpStatusCode.Forbidden },
        { Role.Transcriber, HttpStatusCode.Forbidden },
    };

    public static TheoryData<string, HttpStatusCode> StaffFieldsByRole => new()
    {
        { Role.Dpo, HttpStatusCode.Accepted },
        { Role.Researcher, HttpStatusCode.Accepted },
        { Role.Admin, HttpStatusCode.Accepted },
        { Role.OnsAnalyst, HttpStatusCode.Forbidden },
        { Role.Transcriber, HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(GetRequestByRole))]
    public async Task Get_request_admits_request_handlers_only(string role, HttpStatusCode expected)
    {
        // A well-formed id that names no request: handlers get past authorization to the 404.
        using var response = await env.Http.SendAsync(Staff.Get("/api/requests/DSR-20260101-00000000", role), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(expected);
        await ShouldBeProblemAsync(response, expected == HttpStatusCode.Forbidden ? "forbidden" : "not-found");
    }

    [Theory]
    [MemberData(nameof(StaffFieldsByRole))]
    public async Task Staff_fields_on_a_new_request_admit_request_handlers_only(string role, HttpStatusCode expected)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", StaffOnlyBody(), role), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(expected);
        if (expected == HttpStatusCode.Forbidden)
        {
            await ShouldBeProblemAsync(response, "forbidden");
        }
    }

    [Fact]
    public async Task A_participant_may_submit_without_signing_in()
    {
        using var response = await env.Http.SendAsync(
            Staff.PostJson("/api/requests", $$"""{"studyId":"MPATI","type":"opt-out","email":"p.{{Guid.NewGuid():N}}@example.org"}"""),
            TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not base64 at all")]
    [InlineData("bm90IGpzb24=")]
    [InlineData("eyJjbGFpbXMiOlt7InR5cCI6InJvbGVzIiwidmFsIjoiRHBvIn1dfQ==")] // roles but no id
    public async Task Staff_routes_answer_401_without_a_valid_principal(string? header)
    {
        using var get = Staff.Get("/api/requests/DSR-20260101-00000000");
        using var post = Staff.PostJson("/api/requests", StaffOnlyBody());
        if (header is not null)
        {
            get.Headers.Add(ClientPrincipal.HeaderName, header);
            post.Headers.Add(ClientPrincipal.HeaderName, header);
        }

        foreach (var request in new[] { get, post })
        {
            using var response = await env.Http.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            await ShouldBeProblemAsync(response, "unauthenticated");
        }
    }

    [Fact]
    public async Task A_host_that_does_not_trust_the_header_ignores_it()
    {
        await using var host = await env.StartHostAsync(trustPrincipalHeader: false);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);

        using var response = await http.SendAsync(Staff.Get("/api/requests/DSR-20260101-00000000", Role.Dpo), TestContext.Current.CancellationToken);

        host.TrustsPrincipalHeader.ShouldBeFalse();
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await ShouldBeProblemAsync(response, "unauthenticated");
    }

    internal static async Task<JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, string kind)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:" + kind);
        problem.GetProperty("status").GetInt32().ShouldBe((int)response.StatusCode);
        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        return problem;
    }
}
