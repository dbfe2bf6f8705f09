using System.Net;
using System.Text;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Identity;

/// <summary>
/// The principal header is JSON from outside like any body: two copies of a field, or text that is not text, make it
/// unreadable (a 401 on every staff route, never a 500), and only the claim type it names as its role type carries roles.
/// </summary>
public sealed class StrictPrincipalTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Oid = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public static TheoryData<string, byte[]> Unreadable() => new()
    {
        { "two claims arrays", Encoding.UTF8.GetBytes($$"""{"claims":[{"typ":"{{Oid}}","val":"u1"}],"claims":[{"typ":"roles","val":"Dpo"}]}""") },
        { "an unpaired surrogate", Encoding.UTF8.GetBytes($$"""{"role_typ":"roles","claims":[{"typ":"{{Oid}}","val":"u1"},{"typ":"roles","val":"Dpo\ud800"}]}""") },
        { "invalid UTF-8", [.. Encoding.UTF8.GetBytes($$"""{"role_typ":"roles","claims":[{"typ":"{{Oid}}","val":"u1"},{"typ":"roles","val":"Dpo"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]}")] },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void A_principal_that_is_not_strictly_sound_JSON_is_refused(string what, byte[] json)
    {
        ClientPrincipal.TryParse(Convert.ToBase64String(json), null, out var principal, out var error).ShouldBeFalse(what);

        principal.ShouldBeNull();
        error!.ShouldContain("not valid JSON");
    }

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task A_staff_route_answers_such_a_principal_with_a_401_problem(string what, byte[] json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/requests");
        request.Headers.Add(ClientPrincipal.HeaderName, Convert.ToBase64String(json));

        using var response = await env.Http.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, what);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public void Only_the_claim_type_role_typ_names_carries_roles()
    {
        var json = $$"""{"role_typ":"roles","claims":[{"typ":"{{Oid}}","val":"u1"},{"typ":"role","val":"Dpo"},{"typ":"roles","val":"Researcher"}]}""";

        ClientPrincipal.TryParse(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), null, out var principal, out _).ShouldBeTrue();

        principal!.Roles.ShouldBe(["Researcher"]);
    }
}
