using System.Net;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Mailbox;

/// <summary>
/// The local mailbox exists only in Development with <c>Mail:Transport</c> none: in Production, or when a transport sends
/// the outbox, its routes are unknown routes like any other (the 404 problem) and the banner does not name it.
/// </summary>
public sealed class DevMailboxAbsenceTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string?> Hosts => new()
    {
        { "Production", "none", null },
        { "Development", "smtp", "localhost" },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task The_mailbox_is_absent(string environment, string transport, string? smtpHost)
    {
        // Arrange
        await using var host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?> { ["Mail:Transport"] = transport, ["Smtp:Host"] = smtpHost },
            environment: environment);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var banner = new StringWriter();

        // Act
        host.WriteBanner(banner);

        // Assert
        host.App.Environment.EnvironmentName.ShouldBe(environment);
        host.MailboxAddress.ShouldBeNull();
        banner.ToString().ShouldNotContain("mailbox ");
        foreach (var path in new[] { "/dev/mailbox", "/dev/mailbox/", "/dev/mailbox.css", "/dev/mailbox/requests/DSR-X/acknowledgement.eml" })
        {
            using var response = await http.GetAsync(path, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
        }
    }
}
