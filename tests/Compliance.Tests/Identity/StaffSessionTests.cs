using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Identity;

/// <summary>
/// <c>GET /api/me</c> (who the console's user is, and how to sign in) and <c>POST /api/me/local-sign-in</c>, which exists only
/// where the host trusts the principal header (ADR 0014).
/// </summary>
public sealed class StaffSessionTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_in_caller_is_described_with_their_roles_and_an_anonymous_one_is_told_where_to_sign_in()
    {
        using var signedIn = await env.Http.SendAsync(Staff.Get("/api/me", Role.Researcher), Ct);
        using var anonymous = await env.Http.SendAsync(Staff.Get("/api/me"), Ct);

        var me = await signedIn.Content.ReadFromJsonAsync<JsonElement>(Ct);
        me.GetProperty("signedIn").GetBoolean().ShouldBeTrue();
        me.GetProperty("id").GetString().ShouldBe("staff-1");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Role.Researcher]);
        var nobody = await anonymous.Content.ReadFromJsonAsync<JsonElement>(Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.OK);
        nobody.GetProperty("signedIn").GetBoolean().ShouldBeFalse();
        nobody.GetProperty("roles").GetArrayLength().ShouldBe(0);
        nobody.GetProperty("localSignIn").GetBoolean().ShouldBeTrue("this host trusts the principal header");
        nobody.GetProperty("signInUrl").GetString().ShouldBe("/console/sign-in");
    }

    [Fact]
    public async Task Local_sign_in_gives_a_principal_every_staff_route_accepts_and_names_what_is_wrong_by_field()
    {
        using var response = await env.Http.PostAsJsonAsync("/api/me/local-sign-in", new { role = Role.Dpo, name = "Dana Park" }, Ct);
        using var badRole = await env.Http.PostAsJsonAsync("/api/me/local-sign-in", new { role = "Owner", name = "" }, Ct);

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var header = body.GetProperty("principal").GetString()!;
        body.GetProperty("session").GetProperty("name").GetString().ShouldBe("Dana Park");
        body.GetProperty("session").GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Role.Dpo]);
        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/requests");
        list.Headers.Add(ClientPrincipal.HeaderName, header);
        using var listed = await env.Http.SendAsync(list, Ct);
        listed.StatusCode.ShouldBe(HttpStatusCode.OK);
        badRole.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await badRole.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty("role", out _).ShouldBeTrue();
        errors.TryGetProperty("name", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_host_that_does_not_trust_the_header_has_no_local_sign_in_and_points_at_App_Service_Authentication()
    {
        await using var host = await env.StartHostAsync(trustPrincipalHeader: false);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);

        using var signIn = await http.PostAsync("/api/me/local-sign-in", new StringContent("""{"role":"Dpo","name":"Eve"}""", Encoding.UTF8, "application/json"), Ct);
        using var me = await http.SendAsync(Staff.Get("/api/me", Role.Dpo), Ct);

        signIn.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var session = await me.Content.ReadFromJsonAsync<JsonElement>(Ct);
        session.GetProperty("signedIn").GetBoolean().ShouldBeFalse("the header is ignored here");
        session.GetProperty("localSignIn").GetBoolean().ShouldBeFalse();
        session.GetProperty("signInUrl").GetString().ShouldBe("/.auth/login/aad?post_login_redirect_uri=/console/");
    }
}
