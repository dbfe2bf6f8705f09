using System.Text.RegularExpressions;
using Compliance.SelfHost.Demo;
using Compliance.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Compliance.Tests.Portal;

/// <summary>
/// The portal in Chromium as participants use it: the whole journey of an access request as a demo participant (the code
/// read in the local mailbox), as an unknown address, with six wrong codes; with JavaScript off and by keyboard only; axe on
/// every page (WCAG 2.2 A and AA); screenshots for docs/portal.md.
/// </summary>
public sealed partial class PortalBrowserTests(PortalHost portal, Browser browser) : IClassFixture<PortalHost>
{
    private static string NoticeName => "Public Sector Management Practices";

    [Fact]
    public async Task A_demo_participant_asks_for_their_data_reads_the_code_in_the_local_mailbox_and_follows_the_status_link_with_JavaScript_off()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: false);
        var page = tab.Page;

        // The site root, then the study's notice.
        await page.GotoAsync("/");
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-home");
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex(NoticeName) }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(NoticeName);
        await Expect(page.GetByText("before 2 September 2024").First).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-notice");

        // The form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Make a request" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Make a request", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-form");
        await page.GetByLabel("Get a copy of what I said").CheckAsync();
        await page.GetByLabel("Your email address").FillAsync(PortalHost.DemoParticipant);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();

        // What happens next.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Request sent", Level = 1 })).ToBeVisibleAsync();
        var reference = (await page.Locator("strong.reference").TextContentAsync())!.Trim();
        reference.ShouldStartWith("DSR-");
        await Expect(page.GetByText("we have emailed a code to the address we hold for you")).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-sent");

        // The code, read in the local mailbox as a newcomer would.
        var code = await ReadCodeAsync(page, reference);

        await page.GotoAsync($"/verify?reference={reference}");
        await Expect(page.GetByLabel("Request reference")).ToHaveValueAsync(reference);
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-code");
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Code confirmed", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);

        // The private status page, through the link in the acknowledgement.
        await OpenMessageAsync(page, $"We have received your request [Ref {reference}]");
        await page.GetByRole(AriaRole.Region, new() { Name = "Text part" }).GetByRole(AriaRole.Link, new() { NameRegex = new Regex(@"\/status\/DSR-") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your request", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText(reference).First).ToBeVisibleAsync();
        await Expect(page.GetByText("a copy of what you said")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasTextRegex = new Regex("In progress|Completed|Received") })).ToHaveCountAsync(1);
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-status");
    }

    [Fact]
    public async Task An_unknown_address_sees_exactly_what_a_participant_sees()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: false);
        var page = tab.Page;

        var known = await SendAsync(page, "Stop contacting me", DemoData.People[1].Email);
        var unknown = await SendAsync(page, "Stop contacting me", $"nobody.{Guid.NewGuid():N}@example.org");

        unknown.Text.Replace(unknown.Reference, "REF", StringComparison.Ordinal).ShouldBe(known.Text.Replace(known.Reference, "REF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Six_wrong_codes_give_the_same_page_with_the_error_summary_focused()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: true);
        var page = tab.Page;
        var (reference, _) = await SendAsync(page, "Stop contacting me", DemoData.People[2].Email);
        var code = await ReadCodeAsync(page, reference);
        var wrong = code == "000000" ? "111111" : "000000";

        var pages = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await page.GotoAsync($"/verify?reference={reference}");
            await page.GetByLabel("Code", new() { Exact = true }).FillAsync(wrong);
            await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "There is a problem" })).ToBeVisibleAsync();
            await Expect(page.Locator(".error-summary")).ToBeFocusedAsync();
            await Expect(page).ToHaveTitleAsync(new Regex("^Error: "));
            pages.Add(await page.GetByRole(AriaRole.Main).InnerTextAsync());
        }

        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-code-error");

        await page.GotoAsync($"/verify?reference={reference}");
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();

        pages.Add(await page.GetByRole(AriaRole.Main).InnerTextAsync());
        pages.Select(p => p.Replace(code, "CODE", StringComparison.Ordinal).Replace(wrong, "CODE", StringComparison.Ordinal)).Distinct().Count().ShouldBe(1, "a locked code's page is the wrong code's");
    }

    [Fact]
    public async Task The_request_form_can_be_used_by_keyboard_only_and_its_errors_link_to_the_fields()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: true);
        var page = tab.Page;
        await page.GotoAsync($"/studies/{PortalHost.StudyId}/request");

        // The skip link comes first and takes the focus to the content.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" })).ToBeFocusedAsync();

        // Sending the empty form by keyboard gives the error summary, focused, whose links move to the fields.
        await page.GetByRole(AriaRole.Button, new() { Name = "Send request" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".error-summary")).ToBeFocusedAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
        await Browser.ScreenshotAsync(page, "portal-form-errors");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Select what you would like us to do" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByLabel("Get a copy of what I said")).ToBeFocusedAsync();

        // Choose by arrow keys, move on by Tab, type, and send with Enter.
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.GetByLabel("Stop contacting me")).ToBeCheckedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Your email address")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(PortalHost.DemoParticipant);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Request sent", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_form_whose_token_was_removed_is_refused_with_a_page_that_says_nothing_was_sent()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: true);
        var page = tab.Page;
        await page.GotoAsync($"/studies/{PortalHost.StudyId}/request");
        await page.GetByLabel("Stop contacting me").CheckAsync();
        await page.GetByLabel("Your email address").FillAsync(PortalHost.DemoParticipant);
        await page.EvaluateAsync("() => document.querySelector('input[name=formToken]').remove()");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your form could not be sent", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
    }

    [Fact]
    public async Task A_page_that_does_not_exist_says_so_accessibly()
    {
        await using var tab = await browser.NewPageAsync(portal.BaseAddress, javaScript: false);
        var page = tab.Page;

        var response = await page.GotoAsync($"/status/DSR-20240101-AAAAAAAA/{new string('A', 43)}");

        response!.Status.ShouldBe(404);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await Browser.AssertNoAxeViolationsAsync(page);
    }

    private static async Task<(string Reference, string Text)> SendAsync(IPage page, string choice, string email)
    {
        await page.GotoAsync($"/studies/{PortalHost.StudyId}/request");
        await page.GetByLabel(choice).CheckAsync();
        await page.GetByLabel("Your email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Request sent", Level = 1 })).ToBeVisibleAsync();
        return ((await page.Locator("strong.reference").TextContentAsync())!.Trim(), await page.GetByRole(AriaRole.Main).InnerTextAsync());
    }

    /// <summary>Opens the local mailbox until the message with <paramref name="subject"/> is there, and opens it.</summary>
    private static async Task OpenMessageAsync(IPage page, string subject)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            await page.GotoAsync("/dev/mailbox");
            var link = page.GetByRole(AriaRole.Link, new() { Name = subject, Exact = true });
            if (await link.CountAsync() > 0)
            {
                await link.First.ClickAsync();
                return;
            }

            DateTimeOffset.UtcNow.ShouldBeLessThan(deadline, $"'{subject}' to arrive in the local mailbox");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<string> ReadCodeAsync(IPage page, string reference)
    {
        await OpenMessageAsync(page, $"Your verification code [Ref {reference}]");
        var text = await page.GetByRole(AriaRole.Region, new() { Name = "Text part" }).InnerTextAsync();
        return SixDigits().Match(text).Value;
    }

    [GeneratedRegex(@"\b[0-9]{6}\b")]
    private static partial Regex SixDigits();
}
