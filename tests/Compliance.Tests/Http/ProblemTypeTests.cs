using System.Text.RegularExpressions;
using Compliance.Functions.Http;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>
/// <see cref="ProblemTypes"/>, the list the OpenAPI document gives, is the list of kinds the code builds problems of (read in
/// its source), and docs/api.md's table of errors is that list with the same statuses.
/// </summary>
public sealed partial class ProblemTypeTests
{
    private static readonly string SourceRoot = Path.Combine(Repository.Root, "functions", "Compliance.Functions");

    [Fact]
    public void Every_kind_of_problem_the_code_builds_is_listed_and_every_listed_kind_is_built()
    {
        var built = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var source = File.ReadAllText(file);
            var kinds = Path.GetFileName(file) == "ApiProblem.cs" ? OwnKind().Matches(source) : CallerKind().Matches(source);
            built.UnionWith(kinds.Select(m => m.Groups["kind"].Value));
        }

        built.Count.ShouldBeGreaterThan(15, "the kinds are found in the source; fewer means the search is broken");
        built.ToArray().ShouldBe(ProblemTypes.All.Select(t => t.Kind).Order(StringComparer.Ordinal).ToArray(), "Http/ProblemTypes.cs lists each kind of problem the code builds, and no other");
    }

    [Fact]
    public void The_table_of_errors_in_docs_api_md_lists_every_problem_type_with_its_statuses()
    {
        var docs = File.ReadAllText(Path.Combine(Repository.Root, "docs", "api.md"));
        var rows = TableRow().Matches(docs).Select(m => $"{m.Groups["type"].Value} {m.Groups["statuses"].Value.Trim()}").ToList();

        rows.ShouldBe(ProblemTypes.All.Select(t => $"{t.Uri} {string.Join(", ", t.Statuses)}"), ignoreOrder: true);
    }

    /// <summary>A kind a route names: <c>ApiProblem.BadRequest("kind", …)</c> or <c>ApiProblem.Create(status, "kind", …)</c>.</summary>
    [GeneratedRegex(@"ApiProblem\.(?:BadRequest\(|Create\(\s*[^,()""]+,)\s*""(?<kind>[a-z0-9-]+)""")]
    private static partial Regex CallerKind();

    /// <summary>A kind ApiProblem builds itself: <c>TypePrefix + "kind"</c> or <c>Create(StatusCodes.X, "kind", …)</c>.</summary>
    [GeneratedRegex(@"(?:TypePrefix\s*\+\s*|\bCreate\(\s*StatusCodes\.\w+,\s*)""(?<kind>[a-z0-9-]+)""")]
    private static partial Regex OwnKind();

    [GeneratedRegex(@"^\| `(?<type>urn:compliance:problem:[a-z0-9-]+)` \| (?<statuses>[0-9, ]+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
