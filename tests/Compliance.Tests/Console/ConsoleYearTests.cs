using System.Text.RegularExpressions;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Portal;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Compliance.Tests.Console;

/// <summary>
/// The issue's "done when", as a new user would do it on <c>run-local.sh</c>'s host (its own Azurite, the demo study seeded)
/// and nothing but a browser: a participant's request from the portal, and then, signed in locally as the DPO, that request
/// through to its outcome, a hold placed and lifted, publication, a sweep, its certificate and the study's report.
/// </summary>
public sealed class ConsoleYearTests(PortalHost host, Browser browser) : IClassFixture<PortalHost>
{
    [Fact]
    public async Task A_DPO_runs_the_demo_studys_year_in_the_browser_from_a_portal_request_to_the_certificate_and_the_report()
    {
        // A participant complains through the portal (no JavaScript, as a participant's browser may have none).
        await using var participantTab = await browser.NewPageAsync(host.BaseAddress, javaScript: false);
        var portal = participantTab.Page;
        await portal.GotoAsync($"/studies/{PortalHost.StudyId}/request");
        await portal.GetByLabel("Make a complaint").CheckAsync();
        await portal.GetByLabel("Your email address").FillAsync(PortalHost.DemoParticipant);
        await portal.GetByLabel("Anything else we should know (optional)").FillAsync("Nobody answered my email about the follow-up interview.");
        await portal.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(portal.GetByRole(AriaRole.Heading, new() { Name = "Request sent", Level = 1 })).ToBeVisibleAsync();
        var reference = (await portal.Locator("strong.reference").TextContentAsync())!.Trim();

        // The DPO finds it in the queue and answers it; the outcome email is in its correspondence.
        await using var dpoTab = await browser.NewPageAsync(host.BaseAddress);
        var page = dpoTab.Page;
        await page.GotoAsync("/console/");
        await page.GetByLabel("DPO", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Your name").FillAsync("Dana Park");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = reference });
        for (var tries = 0; tries < 30 && await row.CountAsync() == 0; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        }

        await row.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        var approve = page.GetByRole(AriaRole.Region, new() { Name = "Approve" });
        for (var tries = 0; tries < 30 && await approve.CountAsync() == 0; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await page.ReloadAsync();
        }

        await approve.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page.GetByText("Approve: done.")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var outcome = page.GetByRole(AriaRole.Article).Filter(new() { HasText = $"has been considered [Ref {reference}]" });
        var completed = page.GetByRole(AriaRole.Definition).Filter(new() { HasText = "Completed" });
        for (var tries = 0; tries < 60 && (await outcome.CountAsync() == 0 || await completed.CountAsync() == 0); tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Timeline" })).ToBeVisibleAsync();
        }

        await Expect(outcome).ToHaveCountAsync(1);
        await Expect(completed.First).ToBeVisibleAsync();

        // The study: a hold placed and lifted, publication recorded, the sweep run and its certificate read.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Studies" }).ClickAsync();
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = PortalHost.StudyId }).GetByRole(AriaRole.Link).ClickAsync();
        var holdForm = page.GetByRole(AriaRole.Region, new() { Name = "Place a hold" });
        await holdForm.GetByLabel("The whole study").CheckAsync();
        await holdForm.GetByLabel("Reason").FillAsync("The ICO asked about this study's consent forms.");
        await holdForm.GetByLabel("Review on").FillAsync(DateTime.UtcNow.AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await holdForm.GetByRole(AriaRole.Button, new() { Name = "Place hold" }).ClickAsync();
        var hold = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Legal hold" });
        await Expect(hold).ToContainTextAsync("The ICO asked");
        await hold.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.GetByText("No holds: everything is deleted on the deletion date.")).ToBeVisibleAsync();

        await page.GetByLabel("Publication date").FillAsync("2024-11-20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record publication" }).ClickAsync();
        await Expect(page.GetByText("Recordings, transcripts and notes deleted").Locator("..")).ToContainTextAsync("due now");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the sweep now" }).ClickAsync();

        // The sweep tells the transcription supplier and waits for its confirmation, which the DPO records from Tasks.
        var studyPage = page.Url;
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Tasks" }).ClickAsync();
        var supplierTask = page.GetByRole(AriaRole.Article).Filter(new() { HasText = "Record the supplier's deletion" }).Filter(new() { HasText = $"retention-{PortalHost.StudyId}" });
        for (var tries = 0; tries < 60 && await supplierTask.CountAsync() == 0; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tasks", Level = 1 })).ToBeVisibleAsync();
        }

        await supplierTask.First.GetByLabel("Confirmed").CheckAsync();
        await supplierTask.First.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "confirmed" })).ToBeVisibleAsync();
        await page.GotoAsync(studyPage);
        var certificate = page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Deletion certificate DC-") });
        for (var tries = 0; tries < 60 && await certificate.CountAsync() == 0; tries++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            await page.ReloadAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retention timeline" })).ToBeVisibleAsync();
        }

        await Expect(certificate.First).ToBeVisibleAsync();
        await Expect(page.Locator("pre.certificate").First).ToContainTextAsync(PortalHost.StudyId);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Deletion certificates" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "retention rule" })).ToHaveCountAsync(1);
        await Browser.AssertNoAxeViolationsAsync(page);

        // The year's report: the complaint counted, answered on time.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Reporting" }).ClickAsync();
        await page.GetByLabel("Study").SelectOptionAsync(PortalHost.StudyId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("Complaint: 1") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasTextRegex = new Regex(@"^100\s?% \(1 of 1\)$") })).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" })).ToHaveAttributeAsync("href", new Regex("^data:text/csv"));
        await Browser.AssertNoAxeViolationsAsync(page);
    }
}
