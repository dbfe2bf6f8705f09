using Microsoft.Playwright;

namespace Compliance.Tests.Infrastructure;

/// <summary>The browser fixture itself: axe reports what it finds, with JavaScript on and off, and screenshot names stay file names.</summary>
public sealed class BrowserTests(Browser browser)
{
    private const string Inaccessible = """
        <!DOCTYPE html>
        <html><head><title>Inaccessible</title></head>
        <body><main><h1>A form</h1><img src="/x.png"><input type="text" name="code"></main></body></html>
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Axe_fails_listing_each_violation_and_its_element(bool javaScript)
    {
        // Arrange: a page served by the browser itself, without lang, alt text or a label.
        await using var tab = await browser.NewPageAsync(new Uri("http://browser.test/"), javaScript);
        await tab.Page.RouteAsync("http://browser.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Body = Inaccessible,
        }));
        await tab.Page.GotoAsync("/page");

        // Act
        var failure = await Should.ThrowAsync<Xunit.Sdk.XunitException>(() => Browser.AssertNoAxeViolationsAsync(tab.Page));

        // Assert
        failure.Message.ShouldContain("on http://browser.test/page");
        failure.Message.ShouldContain("- html-has-lang (serious)");
        failure.Message.ShouldContain("- image-alt (critical)");
        failure.Message.ShouldContain("<img src=\"/x.png\">");
        failure.Message.ShouldContain("- label (critical)");
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("name.png")]
    public async Task A_screenshot_name_is_a_plain_file_name(string name)
    {
        await using var tab = await browser.NewPageAsync(new Uri("http://browser.test/"), javaScript: false);

        await Should.ThrowAsync<ArgumentException>(() => Browser.ScreenshotAsync(tab.Page, name));
    }
}
