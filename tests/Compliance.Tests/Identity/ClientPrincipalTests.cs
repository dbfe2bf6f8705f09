using System.Text;
using Compliance.Identity;

namespace Compliance.Tests.Identity;

public sealed class ClientPrincipalTests
{
    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_the_id_and_roles_of_an_App_Service_principal()
    {
        // The shape App Service Authentication sends for Entra ID, with roles under the role_typ claim type.
        var header = Base64("""
            {"auth_typ":"aad","name_typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
             "role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
             "claims":[
               {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"0d5f6c1e-aaaa-4bbb-8ccc-123456789abc"},
               {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"Dpo"},
               {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"Admin"},
               {"typ":"name","val":"Someone"}]}
            """);

        ClientPrincipal.TryParse(header, null, out var principal, out var error).ShouldBeTrue(error);

        principal!.Id.ShouldBe("0d5f6c1e-aaaa-4bbb-8ccc-123456789abc");
        principal.IdentityProvider.ShouldBe("aad");
        principal.Roles.ShouldBe(["Dpo", "Admin"], ignoreOrder: true);
        principal.IsInAnyRole([Role.Researcher, Role.Dpo]).ShouldBeTrue();
        principal.IsInAnyRole([Role.OnsAnalyst]).ShouldBeFalse();
    }

    [Fact]
    public void Takes_the_id_from_the_id_header_when_no_claim_carries_one()
    {
        var header = Base64("""{"auth_typ":"aad","claims":[{"typ":"roles","val":"Researcher"}]}""");

        ClientPrincipal.TryParse(header, "abc-123", out var principal, out _).ShouldBeTrue();

        principal!.Id.ShouldBe("abc-123");
        principal.Roles.ShouldBe(["Researcher"]);
    }

    [Fact]
    public void Encode_round_trips()
    {
        ClientPrincipal.TryParse(ClientPrincipal.Encode("x-1", [Role.Transcriber], extraClaims: [new("supplier", "mcgowan")]), null, out var principal, out _).ShouldBeTrue();

        principal!.Id.ShouldBe("x-1");
        principal.Roles.ShouldBe([Role.Transcriber]);
        principal.FindClaim("supplier").ShouldBe("mcgowan");
    }

    [Theory]
    [InlineData(null, "no client principal was sent")]
    [InlineData("", "no client principal was sent")]
    [InlineData("%%%not-base64%%%", "not base64")]
    [InlineData("bm90IGpzb24=", "not valid JSON")] // "not json"
    [InlineData("WzEsMiwzXQ==", "not a JSON object")] // [1,2,3]
    [InlineData("eyJjbGFpbXMiOiJ4In0=", "claims are not an array")] // {"claims":"x"}
    [InlineData("eyJjbGFpbXMiOlt7InR5cCI6InJvbGVzIn1dfQ==", "has no typ or val")] // {"claims":[{"typ":"roles"}]}
    [InlineData("eyJjbGFpbXMiOlt7InR5cCI6InJvbGVzIiwidmFsIjoiRHBvIn1dfQ==", "names no id")] // {"claims":[{"typ":"roles","val":"Dpo"}]}
    public void Refuses_a_missing_or_malformed_principal_with_a_reason(string? header, string reason)
    {
        ClientPrincipal.TryParse(header, null, out var principal, out var error).ShouldBeFalse();

        principal.ShouldBeNull();
        error!.ShouldContain(reason);
    }
}
