using System.Text.RegularExpressions;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.SelfHost;

/// <summary>The README shows what <c>run-local.sh</c> prints; the list of functions there must be the one the self-host prints.</summary>
public sealed partial class ReadmeBannerTests(TestEnvironment env)
{
    [Fact]
    public void The_READMEs_list_of_functions_is_the_one_the_self_host_prints()
    {
        using var banner = new StringWriter();
        env.Host.WriteBanner(banner);
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

        // The test host runs with its timers switched off; the banner says so after each, which run-local does not.
        var printed = Disabled().Replace(FunctionsOf(banner.ToString()), string.Empty);

        FunctionsOf(readme).ShouldBe(printed, "README.md's banner lists the functions the self-host serves, in its order (scripts/update-readme-functions.sh rewrites it)");
    }

    private static string FunctionsOf(string text)
    {
        var start = text.IndexOf("\n  functions\n", StringComparison.Ordinal);
        var end = text.IndexOf("Press Ctrl+C to stop.", start + 1, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, "a '  functions' line");
        end.ShouldBeGreaterThan(start, "a 'Press Ctrl+C to stop.' line after it");
        return string.Join('\n', text[start..end].Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()));
    }

    [GeneratedRegex(@" \(disabled: [^)]*\)")]
    private static partial Regex Disabled();
}
