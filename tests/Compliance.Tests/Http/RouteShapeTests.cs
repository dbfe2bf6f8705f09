using System.Reflection;
using Compliance.Functions.Http;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>
/// Every HTTP route (a <c>[Function]</c> method with an <c>[HttpTrigger]</c> parameter) stays short: it declares its roles,
/// its body and its checks, and hands the work on. Routes are found by reflection and measured in their source: the lines
/// of the method's body, between its braces, found by brace matching that skips comments, strings and characters.
/// </summary>
public sealed class RouteShapeTests
{
    /// <summary>The longest a route's body may be, in lines.</summary>
    public const int MaxBodyLines = 30;

    private static readonly string SourceRoot = Path.Combine(Repository.Root, "functions", "Compliance.Functions");

    [Fact]
    public void Every_route_method_is_at_most_30_lines_long()
    {
        var routes = RouteNames();
        routes.Count.ShouldBeGreaterThan(20, "the routes are found by reflection; fewer means the search is broken");
        var sources = Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();

        var lengths = routes.ToDictionary(r => r, r => BodyLines(sources, r));
        lengths.Where(l => l.Value > MaxBodyLines).Select(l => $"{l.Key}: {l.Value} lines").ShouldBeEmpty(
            $"a route method is at most {MaxBodyLines} lines: hand the work to a private method, its body's record or a shared helper in Http/");
    }

    [Fact]
    public void Every_route_outside_the_portal_and_the_console_is_below_api()
    {
        // The host's route prefix is empty so the portal can answer at the site root (ADR 0011); the API spells api/ itself,
        // and the staff console's files are below console/ (ADR 0014).
        var routes = typeof(ApiProblem).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters().Select(p => (Method: m, Trigger: p.GetCustomAttribute<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>())))
            .Where(x => x.Trigger is not null)
            .ToList();

        routes.Count.ShouldBeGreaterThan(20);
        routes.Where(r => r.Method.DeclaringType!.Namespace is not ("Compliance.Functions.Portal" or "Compliance.Functions.Console") && r.Trigger!.Route?.StartsWith("api/", StringComparison.Ordinal) != true)
            .Select(r => $"{r.Method.Name}: {r.Trigger!.Route}").ShouldBeEmpty();
        routes.Where(r => r.Method.DeclaringType!.Namespace == "Compliance.Functions.Console")
            .Select(r => r.Trigger!.Route).ShouldBe(["console/{*path}"], "the console's routes are its files; its data comes from the API");
        routes.Where(r => r.Method.DeclaringType!.Namespace == "Compliance.Functions.Portal" && r.Trigger!.Route!.StartsWith("api/", StringComparison.Ordinal))
            .Select(r => $"{r.Method.Name}: {r.Trigger!.Route}").ShouldBeEmpty("the portal's pages are not the API");
    }

    [Fact]
    public void The_measure_skips_braces_in_strings_comments_and_characters()
    {
        const string source = """
            [Function(nameof(Route))]
            public async Task<IActionResult> Route(
                [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{id}")] HttpRequest req)
            {
                // a } in a comment
                var a = $"one {string.Join(", ", new[] { "}" })} {{literal}}";
                var b = @"a "" } quote";
                var c = '}'; /* } */
                return null;
            }
            """;

        BodyLines([source], "Route").ShouldBe(5);
    }

    /// <summary>The method names of the routes in the Functions assembly.</summary>
    private static List<string> RouteNames() =>
        typeof(ApiProblem).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.CustomAttributes.Any(a => a.AttributeType.Name == "FunctionAttribute")
                && m.GetParameters().Any(p => p.CustomAttributes.Any(a => a.AttributeType.Name == "HttpTriggerAttribute")))
            .Select(m => m.Name)
            .ToList();

    /// <summary>The lines between the braces of the body of the method that follows <c>[Function(nameof(name))]</c>.</summary>
    private static int BodyLines(IReadOnlyList<string> sources, string name)
    {
        var attribute = $"[Function(nameof({name}))]";
        var found = sources.Where(s => s.Contains(attribute, StringComparison.Ordinal)).ToList();
        found.Count.ShouldBe(1, $"route {name} must be declared once as {attribute}");
        var source = found[0];
        var open = BodyStart(source, source.IndexOf(attribute, StringComparison.Ordinal) + attribute.Length);
        var close = MatchingBrace(source, open);
        return source.AsSpan(open, close - open).Count('\n') - 1;
    }

    /// <summary>The first <c>{</c> outside brackets and parentheses: the body's, after the attributes and parameters.</summary>
    private static int BodyStart(string s, int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var next = SkipLiteral(s, i);
            if (next != i)
            {
                i = next;
                continue;
            }

            switch (s[i])
            {
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case '{' when depth == 0:
                    return i;
                case ';' or '=' when depth == 0:
                    throw new InvalidOperationException("A route has no block body.");
            }

            i++;
        }

        throw new InvalidOperationException("A route has no body.");
    }

    /// <summary>The index of the <c>}</c> closing the <c>{</c> at <paramref name="open"/>.</summary>
    private static int MatchingBrace(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length;)
        {
            var next = SkipLiteral(s, i);
            if (next != i)
            {
                i = next;
                continue;
            }

            if (s[i] == '{')
            {
                depth++;
            }
            else if (s[i] == '}' && --depth == 0)
            {
                return i;
            }

            i++;
        }

        throw new InvalidOperationException("Unbalanced braces.");
    }

    /// <summary>The index after the comment, character or string (plain, verbatim, interpolated, raw) at <paramref name="i"/>; <paramref name="i"/> if none starts there.</summary>
    private static int SkipLiteral(string s, int i)
    {
        if (s[i] == '/' && i + 1 < s.Length && s[i + 1] is '/' or '*')
        {
            var end = s[i + 1] == '/' ? s.IndexOf('\n', i) : s.IndexOf("*/", i + 2, StringComparison.Ordinal) + 2;
            return end < i ? s.Length : end;
        }

        if (s[i] == '\'')
        {
            var j = i + 1;
            while (s[j] != '\'')
            {
                j += s[j] == '\\' ? 2 : 1;
            }

            return j + 1;
        }

        var k = i;
        bool interpolated = false, verbatim = false;
        while (k < s.Length && s[k] is '$' or '@')
        {
            interpolated |= s[k] == '$';
            verbatim |= s[k] == '@';
            k++;
        }

        if (k >= s.Length || s[k] != '"')
        {
            return i;
        }

        if (string.CompareOrdinal(s, k, "\"\"\"", 0, 3) == 0)
        {
            var end = s.IndexOf("\"\"\"", k + 3, StringComparison.Ordinal);
            while (end + 3 < s.Length && s[end + 3] == '"')
            {
                end++;
            }

            return end + 3;
        }

        for (var j = k + 1; j < s.Length;)
        {
            switch (s[j])
            {
                case '\\' when !verbatim:
                    j += 2;
                    break;
                case '"' when verbatim && j + 1 < s.Length && s[j + 1] == '"':
                    j += 2;
                    break;
                case '"':
                    return j + 1;
                case '{' when interpolated && j + 1 < s.Length && s[j + 1] == '{':
                    j += 2;
                    break;
                case '{' when interpolated:
                    j = MatchingBrace(s, j) + 1;
                    break;
                default:
                    j++;
                    break;
            }
        }

        return s.Length;
    }
}
