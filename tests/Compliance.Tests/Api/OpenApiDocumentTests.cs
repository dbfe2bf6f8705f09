using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Compliance.Functions.Api;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Compliance.Tests.Api;

/// <summary>
/// The OpenAPI document (<c>GET /api/openapi.json</c>) is valid OpenAPI 3.1 by Microsoft.OpenApi's reader and rules, lists
/// exactly the routes under <c>/api</c> of the self-host's function catalogue with their methods, gives each staff route the
/// roles the route-by-role matrix proves it enforces, and is what the self-host serves.
/// </summary>
public sealed partial class OpenApiDocumentTests(TestEnvironment env)
{
    [Fact]
    public void The_document_reads_back_as_OpenAPI_3_1_without_an_error_or_a_warning()
    {
        var (document, diagnostic) = Read(OpenApiDescription.Json);

        diagnostic.SpecificationVersion.ShouldBe(OpenApiSpecVersion.OpenApi3_1);
        diagnostic.Errors.Select(e => e.ToString()).ShouldBeEmpty();
        diagnostic.Warnings.Select(e => e.ToString()).ShouldBeEmpty();
        document.Validate(ValidationRuleSet.GetDefaultRuleSet()).Select(e => e.ToString()).ShouldBeEmpty();
        JsonNode.Parse(OpenApiDescription.Json)!["openapi"]!.GetValue<string>().ShouldStartWith("3.1.");
    }

    [Fact]
    public void Every_route_under_api_in_the_function_catalogue_is_in_the_document_with_its_methods_and_nothing_else()
    {
        var catalogue = env.Host.Catalog.OfKind(FunctionKind.Http)
            .SelectMany(f => f.HttpMethods!.Select(m => (Method: m, Path: AsOpenApiPath(HttpFunctionEndpoints.PathOf(f)), f.Name)))
            .Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Path} {r.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
        catalogue.Count.ShouldBeGreaterThan(40, "the catalogue's API routes; fewer means the search is broken");

        var documented = Operations(Read(OpenApiDescription.Json).Document)
            .Select(o => $"{o.Method} {o.Path} {o.Operation.OperationId}")
            .Order(StringComparer.Ordinal)
            .ToList();

        documented.ShouldBe(catalogue, "the document lists each route under /api by method, path and function name, and nothing else (Api/ApiRoutes.cs)");
    }

    [Fact]
    public void Each_staff_route_needs_in_the_document_the_roles_the_route_by_role_matrix_proves_it_enforces()
    {
        var operations = Operations(Read(OpenApiDescription.Json).Document).ToList();
        var functions = env.Host.Catalog.OfKind(FunctionKind.Http).ToList();
        var checkedFunctions = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (method, path, _, roles) in RouteRoleMatrixTests.Routes)
        {
            var function = FunctionServing(functions, method, path.Split('?')[0]);
            var operation = operations.Single(o => o.Operation.OperationId == function.Name && o.Method == method).Operation;
            var because = $"{method} {path} ({function.Name})";

            RolesOf(operation).ShouldBe(roles.Order(StringComparer.Ordinal).ToList(), because);
            operation.Security.ShouldNotBeNull(because);
            operation.Security![0].Single(s => s.Key.Reference.Id == OpenApiDescription.StaffPrincipal).Value.Order(StringComparer.Ordinal).ShouldBe(roles.Order(StringComparer.Ordinal), because);
            checkedFunctions.Add(function.Name);
        }

        // And the other way: no route says it needs roles that the matrix does not prove.
        operations.Where(o => o.Operation.Extensions?.ContainsKey(OpenApiDescription.RolesExtension) == true)
            .Select(o => o.Operation.OperationId!)
            .Where(name => !checkedFunctions.Contains(name))
            .ShouldBeEmpty("every staff route in the document has a row in RouteRoleMatrixTests");
    }

    [Fact]
    public async Task The_self_host_serves_the_document_to_anyone_at_api_openapi_json()
    {
        using var response = await env.Http.GetAsync("/api/openapi.json", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var served = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        served.ShouldBe(OpenApiDescription.Json);
        var (document, diagnostic) = Read(served);
        diagnostic.Errors.ShouldBeEmpty();
        document.Paths.Keys.ShouldContain("/api/openapi.json");
    }

    [Fact]
    public void Every_problem_type_is_listed_in_the_document_and_answered_by_some_route()
    {
        var root = JsonNode.Parse(OpenApiDescription.Json)!;
        var listed = root[OpenApiDescription.ProblemTypesExtension]!.AsArray().Select(t => t!["type"]!.GetValue<string>()).ToList();
        listed.ShouldBe(Compliance.Functions.Http.ProblemTypes.All.Select(t => t.Uri).ToList());
        root["components"]!["schemas"]!["Problem"]!["properties"]!["type"]!["enum"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(listed);

        var answered = Operations(Read(OpenApiDescription.Json).Document)
            .SelectMany(o => o.Operation.Responses!.Values)
            .SelectMany(r => r.Extensions is { } e && e.TryGetValue(OpenApiDescription.ProblemTypesExtension, out var x) ? ((JsonNodeExtension)x).Node.AsArray().Select(t => t!.GetValue<string>()) : [])
            .ToHashSet(StringComparer.Ordinal);

        // A wrong method is the router's answer, on any route, and said once for the whole document.
        listed.Where(t => !answered.Contains(t) && !t.EndsWith(":method-not-allowed", StringComparison.Ordinal))
            .ShouldBeEmpty("each problem type is in the answers of the routes that give it (Api/ApiRoutes.cs)");
    }

    /// <summary>The document as Microsoft.OpenApi reads it, with what it found wrong (its reader applies the default rule set).</summary>
    private static (OpenApiDocument Document, OpenApiDiagnostic Diagnostic) Read(string json)
    {
        var (document, diagnostic) = OpenApiDocument.Parse(json, OpenApiConstants.Json, new OpenApiReaderSettings());
        document.ShouldNotBeNull();
        diagnostic.ShouldNotBeNull();
        return (document, diagnostic);
    }

    private static IEnumerable<(string Method, string Path, OpenApiOperation Operation)> Operations(OpenApiDocument document) =>
        document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (o.Key.Method.ToUpperInvariant(), p.Key, o.Value)));

    private static List<string> RolesOf(OpenApiOperation operation) =>
        operation.Extensions is { } extensions && extensions.TryGetValue(OpenApiDescription.RolesExtension, out var roles)
            ? ((JsonNodeExtension)roles).Node.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The function the router would pick for a request: of the routes that match, the one with the most literal segments.</summary>
    private static FunctionDescriptor FunctionServing(IEnumerable<FunctionDescriptor> functions, string method, string path)
    {
        var matches = functions
            .Where(f => f.HttpMethods!.Contains(method) && new TemplateMatcher(TemplateParser.Parse(f.Route!), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
            .OrderByDescending(f => TemplateParser.Parse(f.Route!).Segments.Count(s => s.Parts.All(p => p.IsLiteral)))
            .ToList();
        matches.ShouldNotBeEmpty($"a route serving {method} {path}");
        return matches[0];
    }

    /// <summary>A route's path as OpenAPI writes it: each parameter <c>{name}</c>, without constraints.</summary>
    private static string AsOpenApiPath(string path) => Parameter().Replace(path, m => $"{{{m.Groups[1].Value}}}");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Parameter();
}
