using System.Net;
using Compliance.Mail;
using Compliance.Tests.Infrastructure;
using Microsoft.Playwright;
using MimeKit;

namespace Compliance.Tests.Mailbox;

/// <summary>
/// What the local mailbox shows of messages written straight to the outbox: links to this service clickable and others
/// not, an HTML part with script shown without it, no page for an id that is no message, its place in the banner.
/// </summary>
public sealed class DevMailboxBrowserTests(MailboxHost mailbox, Browser browser) : IClassFixture<MailboxHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Links_to_this_service_are_clickable_and_links_elsewhere_stay_text()
    {
        // Arrange
        var own = new Uri(mailbox.Host.BaseAddress, "/api/requests/DSR-LINKS").ToString();
        var published = new Uri(MailboxHost.PublicBaseUrl, "/status/DSR-LINKS").ToString();
        const string elsewhere = "https://elsewhere.example/phish";
        var lookalike = MailboxHost.PublicBaseUrl.ToString().TrimEnd('/') + ".evil.example/x";
        var id = await WriteAsync("links", text: $"Yours: {own}.\nPublic: {published}\nOther: {elsewhere}\nLookalike: {lookalike}\n", html: $"<p><a href=\"{published}\">status page</a> and <a href=\"{elsewhere}\">a prize</a></p>");
        await using var tab = await browser.NewPageAsync(mailbox.Host.BaseAddress, javaScript: false);
        var page = tab.Page;

        // Act
        await page.GotoAsync($"/dev/mailbox/{id}");

        // Assert
        var textPart = page.GetByRole(AriaRole.Region, new() { Name = "Text part" });
        await Assertions.Expect(textPart.GetByRole(AriaRole.Link, new() { Name = own, Exact = true })).ToHaveAttributeAsync("href", own);
        await Assertions.Expect(textPart.GetByRole(AriaRole.Link, new() { Name = published, Exact = true })).ToHaveAttributeAsync("href", published);
        await Assertions.Expect(textPart.GetByRole(AriaRole.Link)).ToHaveCountAsync(2);
        await Assertions.Expect(textPart).ToContainTextAsync(elsewhere);
        await Assertions.Expect(textPart).ToContainTextAsync(lookalike);
        var htmlPart = page.GetByRole(AriaRole.Region, new() { Name = "HTML part, sanitised" });
        await Assertions.Expect(htmlPart.GetByRole(AriaRole.Link, new() { Name = "status page" })).ToHaveAttributeAsync("href", published);
        await Assertions.Expect(htmlPart.GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await Assertions.Expect(htmlPart).ToContainTextAsync("a prize");
        await Browser.AssertNoAxeViolationsAsync(page);
    }

    [Fact]
    public async Task An_HTML_part_with_script_and_event_handlers_is_shown_without_them()
    {
        // Arrange: what a hostile reply quoted into an email could carry.
        const string html = """
            <html><head><script>window.pwned = 1</script><style>body { display: none }</style></head>
            <body onload="window.pwned = 2">
            <p id="kept" class="x" style="color: red" onclick="window.pwned = 3">Visible paragraph</p>
            <img src="x" onerror="window.pwned = 4" alt="an image">
            <a href="javascript:window.pwned = 5">a javascript link</a>
            <form action="https://elsewhere.example/steal"><input name="code"><button>Send</button></form>
            <svg><script>window.pwned = 6</script></svg>
            <iframe src="https://elsewhere.example/"></iframe>
            </body></html>
            """;
        var id = await WriteAsync("hostile", text: "Text with <b>tags</b> & <script>alert(1)</script>", html: html);
        var dialogs = 0;
        await using var tab = await browser.NewPageAsync(mailbox.Host.BaseAddress, javaScript: true);
        var page = tab.Page;
        page.Dialog += (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            _ = dialog.DismissAsync();
        };

        // Act
        var response = await page.GotoAsync($"/dev/mailbox/{id}");
        var served = await response!.TextAsync();

        // Assert: nothing of it in what the server sent, nothing ran, the text shows as text.
        served.ShouldNotContain("<script", Case.Insensitive);
        served.ShouldNotContain("onerror", Case.Insensitive);
        served.ShouldNotContain("onclick", Case.Insensitive);
        served.ShouldNotContain("onload", Case.Insensitive);
        served.ShouldNotContain("javascript:", Case.Insensitive);
        served.ShouldNotContain("<form", Case.Insensitive);
        served.ShouldNotContain("<iframe", Case.Insensitive);
        served.ShouldNotContain("<img", Case.Insensitive);
        served.ShouldNotContain("style=", Case.Insensitive);
        response.Headers["content-security-policy"].ShouldContain("script-src 'none'");
        var htmlPart = page.GetByRole(AriaRole.Region, new() { Name = "HTML part, sanitised" });
        await Assertions.Expect(htmlPart.GetByText("Visible paragraph")).ToBeVisibleAsync();
        await Assertions.Expect(htmlPart.GetByText("a javascript link")).ToBeVisibleAsync();
        await Assertions.Expect(htmlPart.GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
        await Assertions.Expect(htmlPart.GetByRole(AriaRole.Textbox)).ToHaveCountAsync(0);
        (await page.EvaluateAsync<bool>("() => 'pwned' in window")).ShouldBeFalse();
        dialogs.ShouldBe(0);
        var textPart = page.GetByRole(AriaRole.Region, new() { Name = "Text part" });
        await Assertions.Expect(textPart.GetByText("Text with <b>tags</b> & <script>alert(1)</script>", new() { Exact = true })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
    }

    [Fact]
    public async Task An_id_that_is_no_message_answers_the_usual_404_problem()
    {
        foreach (var path in new[] { "/dev/mailbox/requests/DSR-NONE/none.eml", "/dev/mailbox/requests/DSR-NONE/", "/dev/mailbox/..%2F..%2Fetc%2Fpasswd", "/dev/mailbox/requests/x/not-an-email.txt" })
        {
            using var response = await mailbox.Http.GetAsync(path, Ct);

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
        }
    }

    [Fact]
    public async Task The_banner_names_the_mailbox()
    {
        using var banner = new StringWriter();

        mailbox.Host.WriteBanner(banner);

        banner.ToString().ShouldContain($"\n  mailbox       {new Uri(mailbox.Host.BaseAddress, "/dev/mailbox")}\n");
        using var css = await mailbox.Http.GetAsync("/dev/mailbox.css", Ct);
        css.StatusCode.ShouldBe(HttpStatusCode.OK);
        css.Content.Headers.ContentType!.MediaType.ShouldBe("text/css");
    }

    /// <summary>Writes a message to the outbox as the mailer does (create-only, pending), under a request id of this test's own.</summary>
    private async Task<string> WriteAsync(string key, string text, string html)
    {
        var requestId = $"DSR-TEST-{Guid.NewGuid():N}"[..24].ToUpperInvariant();
        var body = new BodyBuilder { TextBody = text, HtmlBody = html };
        var message = new MimeMessage
        {
            Subject = $"A {key} message [Ref {requestId}]",
            Date = DateTimeOffset.UtcNow,
            Body = body.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress("NatCen research team", "mpati@research.example.org"));
        message.To.Add(new MailboxAddress("Robin Example", $"{key}@example.org"));
        var name = Outbox.BlobNameFor(requestId, key);
        (await mailbox.Requests.Outbox.TryWriteAsync(name, message, Outbox.MetadataFor(requestId, key), Ct)).ShouldBeTrue();
        return name;
    }
}
