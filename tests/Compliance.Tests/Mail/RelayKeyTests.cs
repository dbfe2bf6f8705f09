using System.Net;
using System.Net.Http.Headers;
using Compliance.Functions.Mail;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Mail;

/// <summary>
/// A relay key that is an unresolved Key Vault reference is no key: App Service leaves the reference's text as the value
/// when the secret is missing, and the text follows from public names, so presenting it must not let mail in.
/// </summary>
public sealed class RelayKeyTests(TestEnvironment env)
{
    private const string Unresolved = "@Microsoft.KeyVault(VaultName=kv-compliance;SecretName=mail-relay-key)";

    [Fact]
    public async Task Presenting_an_unresolved_Key_Vault_reference_as_the_relay_key_is_refused()
    {
        // Arrange
        await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["Intake:RelayKey"] = Unresolved });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mail/inbound") { Content = new ByteArrayContent("Subject: hi\r\n\r\nhello\r\n"u8.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add(InboundMailHttp.KeyHeader, Unresolved);

        // Act
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        // Assert: treated as no key at all, so the route wants a staff principal.
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
