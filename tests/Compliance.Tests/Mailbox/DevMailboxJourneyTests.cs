using System.Net;
using Compliance.Mail;
using Compliance.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Compliance.Tests.Mailbox;

/// <summary>
/// The local mailbox in Chromium, as a newcomer uses it after <c>run-local.sh</c>: a request's emails listed, one opened.
/// A class of its own, so its host's outbox holds this request's emails only and the screenshots for the docs are the same
/// on every run (but for the request id and the time). Pages are opened with JavaScript off (they need none); axe checks each.
/// </summary>
public sealed class DevMailboxJourneyTests(MailboxHost mailbox, Browser browser) : IClassFixture<MailboxHost>
{
    [Fact]
    public async Task A_requests_acknowledgement_is_listed_and_opens_with_its_headers_and_text()
    {
        // Arrange: a request from an address held for no participant: the workflow writes its acknowledgement and asks for
        // identity details. Both are waited for, so the list (and its screenshot) is the same on every run.
        var email = $"robin.{Guid.NewGuid().ToString("N")[..8]}@example.org";
        var requestId = await mailbox.Requests.SubmitAsync(new { studyId = TestEnvironment.StudyId, type = "access", email, name = "Robin Example" });
        var acknowledgement = await mailbox.Requests.EmailAsync(requestId, EmailKind.Acknowledgement);
        await mailbox.Requests.EmailAsync(requestId, EmailKind.IdentityDetailsNeeded);
        await using var tab = await browser.NewPageAsync(mailbox.Host.BaseAddress, javaScript: false);
        var page = tab.Page;

        // Act: the list, then the message.
        var response = await page.GotoAsync("/dev/mailbox");

        // Assert
        response!.Status.ShouldBe((int)HttpStatusCode.OK);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Local mailbox", Level = 1 })).ToBeVisibleAsync();
        var table = page.GetByRole(AriaRole.Table, new() { Name = "in mail-outbox" });
        await Assertions.Expect(table).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Sending state" })).ToBeVisibleAsync();
        var row = table.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = acknowledgement.Subject, Exact = true }) });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.GetByRole(AriaRole.Cell, new() { Name = email })).ToBeVisibleAsync();
        await Assertions.Expect(row.GetByRole(AriaRole.Cell, new() { Name = "pending", Exact = true })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "dev-mailbox");

        await row.GetByRole(AriaRole.Link).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = acknowledgement.Subject, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasText = email })).ToHaveCountAsync(1);
        var textPart = page.GetByRole(AriaRole.Region, new() { Name = "Text part" });
        await Assertions.Expect(textPart).ToContainTextAsync($"Its reference is {requestId}");
        var htmlPart = page.GetByRole(AriaRole.Region, new() { Name = "HTML part, sanitised" });
        await Assertions.Expect(htmlPart.GetByText(requestId, new() { Exact = true })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "dev-mailbox-message");

        await page.GetByRole(AriaRole.Link, new() { Name = "All messages" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(mailbox.Host.BaseAddress, "/dev/mailbox").ToString());
    }
}
