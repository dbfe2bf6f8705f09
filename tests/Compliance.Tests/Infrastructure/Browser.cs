using System.Runtime.CompilerServices;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Compliance.Tests.Infrastructure.Browser))]

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the whole test run (Debian's, installed by scripts/ensure-tools.sh; Playwright's own
/// downloads are not used), launched on first use so a run without browser tests never starts it. Each test takes a
/// page in a context of its own (<see cref="NewPageAsync"/>), checks it with axe (<see cref="AssertNoAxeViolationsAsync"/>)
/// and may save a screenshot for the docs (<see cref="ScreenshotAsync"/>). Find elements by role and label
/// (<c>GetByRole</c>, <c>GetByLabel</c>), never by CSS path.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>Debian's Chromium (package <c>chromium</c>).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The WCAG levels axe checks: A and AA of 2.0, 2.1 and 2.2.</summary>
    public static IReadOnlyList<string> AxeTags { get; } = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    /// <summary>How long an action or a navigation may take: generous, as the machine is shared with the build and Azurite.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an expectation waits for the page to meet it.</summary>
    public static TimeSpan ExpectTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The contexts opened without JavaScript, where axe (itself a script) cannot run.</summary>
    private static readonly ConditionalWeakTable<IBrowserContext, Uri> WithoutJavaScript = [];

    private readonly SemaphoreSlim launching = new(1, 1);
    private IPlaywright? playwright;
    private IBrowser? chromium;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// A page in a fresh browser context (no cookies or storage shared with other tests), with relative URLs resolved
    /// against <paramref name="baseAddress"/>. <paramref name="javaScript"/> false shows the page as a browser without
    /// JavaScript would: every page of this project must work so. Dispose it to close its context.
    /// </summary>
    public async Task<BrowserPage> NewPageAsync(Uri baseAddress, bool javaScript = true)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var browser = await LaunchAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            JavaScriptEnabled = javaScript,
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        if (!javaScript)
        {
            WithoutJavaScript.AddOrUpdate(context, baseAddress);
        }

        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Timeout.TotalMilliseconds);

        // Expectations wait as long as actions: the console's first load (the WebAssembly runtime, cold) takes more than
        // Playwright's default 5 s on a busy 2-core machine, and a page that is merely slow is not a failure.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout((float)ExpectTimeout.TotalMilliseconds);
        try
        {
            return new BrowserPage(context, await context.NewPageAsync());
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs axe on the page as it is now, with <see cref="AxeTags"/>, and fails listing every violation (rule, impact,
    /// help, and each element's selector and markup). On a page opened without JavaScript, axe (a script, which waits on
    /// timers that never fire there) checks a copy instead: the page's document as it is now, served at the same address in
    /// a context with JavaScript, under a CSP that lets none of the page's own scripts run, its stylesheets loaded from the
    /// server as before.
    /// </summary>
    public static async Task AssertNoAxeViolationsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var options = new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. AxeTags] } };
        AxeResult result;
        if (WithoutJavaScript.TryGetValue(page.Context, out _))
        {
            var url = page.Url;
            var html = await page.ContentAsync();
            var copyContext = await page.Context.Browser!.NewContextAsync(new BrowserNewContextOptions
            {
                JavaScriptEnabled = true,
                Locale = "en-GB",
                TimezoneId = "Europe/London",
                ViewportSize = page.ViewportSize is { } size ? new ViewportSize { Width = size.Width, Height = size.Height } : null,
            });
            try
            {
                copyContext.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
                var copy = await copyContext.NewPageAsync();
                await copy.RouteAsync(
                    u => u == url,
                    route => route.FulfillAsync(new RouteFulfillOptions
                    {
                        Status = 200,
                        ContentType = "text/html; charset=utf-8",
                        Headers = new Dictionary<string, string> { ["Content-Security-Policy"] = "script-src 'none'" },
                        Body = html,
                    }));
                await copy.GotoAsync(url);
                result = await copy.RunAxe(options);
            }
            finally
            {
                await copyContext.CloseAsync();
            }
        }
        else
        {
            result = await page.RunAxe(options);
        }

        if (result.Violations.Length == 0)
        {
            return;
        }

        var report = new StringBuilder();
        report.AppendLine($"axe found {result.Violations.Length} violation(s) on {page.Url}:");
        foreach (var violation in result.Violations)
        {
            report.AppendLine($"- {violation.Id} ({violation.Impact}): {violation.Help} {violation.HelpUrl}");
            foreach (var node in violation.Nodes)
            {
                report.AppendLine($"    at {node.Target}: {node.Html}");
                // axe's failure summary: every 'all' and 'none' check that failed, or the 'any' checks of which none passed.
                foreach (var check in (node.All ?? []).Concat(node.None ?? []).Concat(node.Any ?? []))
                {
                    report.AppendLine($"      {check.Message}");
                }
            }
        }

        throw new Xunit.Sdk.XunitException(report.ToString());
    }

    /// <summary>
    /// Saves a full-page PNG of <paramref name="page"/> as <c>docs/screenshots/&lt;name&gt;.png</c> in the repository, so the
    /// docs show screenshots the tests took. <paramref name="name"/> is a file name without extension (letters, digits, '-').
    /// </summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException("A screenshot's name is letters, digits and '-' only.", nameof(name));
        }

        var path = Path.Combine(Repository.Root, "docs", "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    private async Task<IBrowser> LaunchAsync()
    {
        if (chromium is not null)
        {
            return chromium;
        }

        await launching.WaitAsync();
        try
        {
            if (chromium is not null)
            {
                return chromium;
            }

            if (!File.Exists(ExecutablePath))
            {
                throw new InvalidOperationException($"Browser tests need Chromium at {ExecutablePath}: run scripts/ensure-tools.sh (it installs Debian's 'chromium').");
            }

            playwright ??= await Playwright.CreateAsync();
            chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = (float)Timeout.TotalMilliseconds,
                // As root (CI and these machines) Chromium refuses to start with its sandbox; the pages it opens are the tests' own.
                Args = Environment.IsPrivilegedProcess ? ["--no-sandbox"] : [],
            });
            return chromium;
        }
        finally
        {
            launching.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.CloseAsync();
        }

        playwright?.Dispose();
        launching.Dispose();
    }
}

/// <summary>A page in a browser context of its own; disposing it closes the context.</summary>
public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}
