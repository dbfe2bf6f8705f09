using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Compliance.Functions.Http;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;

namespace Compliance.Functions.Api;

/// <summary>
/// The OpenAPI 3.1 document of the HTTP API, built from the app itself: every route under <c>api/</c> with the methods and
/// path its <c>[HttpTrigger]</c> gives, and what <see cref="ApiRoutes"/> says of it (roles, query, body, answers); the
/// problems come from <see cref="ProblemTypes"/>. The portal's pages and the console's files are not the API and are left out.
/// </summary>
public static partial class OpenApiDescription
{
    /// <summary>The security scheme of a staff route: App Service Authentication's principal header.</summary>
    public const string StaffPrincipal = "staffPrincipal";

    /// <summary>The security scheme of a relay's key (<c>POST /api/mail/inbound</c>).</summary>
    public const string RelayKey = "relayKey";

    /// <summary>The extension naming a staff route's roles (any one of them admits), beside the security requirement.</summary>
    public const string RolesExtension = "x-roles";

    /// <summary>The extension listing the problem types, on the document (each with its statuses) and on each problem answer.</summary>
    public const string ProblemTypesExtension = "x-problem-types";

    private const string ProblemSchema = "Problem";

    private static readonly Lazy<string> Written = new(() => Write(Build()));

    /// <summary>The document as JSON, built once.</summary>
    public static string Json => Written.Value;

    /// <summary>The HTTP functions of the app, as their triggers declare them: name, methods (upper case) and route.</summary>
    private static IReadOnlyList<(MethodInfo Method, string Name, IReadOnlyList<string> Verbs, string Route)> HttpFunctions { get; } =
        typeof(OpenApiDescription).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => (x.Method, x.Function!.Name, (IReadOnlyList<string>)(x.Trigger!.Methods is { Length: > 0 } verbs ? verbs : ["get", "post"]).Select(v => v.ToUpperInvariant()).ToList(), x.Trigger.Route ?? x.Function.Name))
            .ToList();

    public static OpenApiDocument Build()
    {
        var api = HttpFunctions.Where(f => f.Route.StartsWith("api/", StringComparison.Ordinal)).ToList();
        var routes = ApiRoutes.All.ToDictionary(r => r.Function, StringComparer.Ordinal);
        var undescribed = api.Select(f => f.Name).Where(n => !routes.ContainsKey(n)).ToList();
        var unknown = routes.Keys.Where(n => api.All(f => f.Name != n)).ToList();
        if (undescribed.Count > 0 || unknown.Count > 0)
        {
            throw new InvalidOperationException($"Api/ApiRoutes.cs must describe every route under api/ and nothing else: undescribed {string.Join(", ", undescribed)}; no such route {string.Join(", ", unknown)}.");
        }

        var document = NewDocument();
        foreach (var function in api.OrderBy(f => PathOf(f.Route), StringComparer.Ordinal))
        {
            var path = PathOf(function.Route);
            if (!document.Paths.TryGetValue(path, out var item))
            {
                document.Paths[path] = item = new OpenApiPathItem();
            }

            foreach (var verb in function.Verbs)
            {
                ((OpenApiPathItem)item).AddOperation(new HttpMethod(verb), Operation(document, function.Method, function.Route, routes[function.Name]));
            }
        }

        document.Tags = new HashSet<OpenApiTag>(api.Select(f => TagOf(f.Method)).Distinct().Order(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t }));
        return document;
    }

    /// <summary>The document as OpenAPI 3.1 JSON.</summary>
    public static string Write(OpenApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }

    /// <summary>The path of a route as OpenAPI writes it: <c>/</c> before it, and each parameter as <c>{name}</c> without its constraints.</summary>
    public static string PathOf(string route) => "/" + RouteParameter().Replace(route, m => "{" + m.Groups["name"].Value + "}");

    private static OpenApiDocument NewDocument()
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Compliance HTTP API",
                Version = typeof(OpenApiDescription).Assembly.GetName().Version?.ToString() ?? "1.0",
                Description = "The HTTP API both hosts serve under /api (docs/api.md). Every error is an RFC 9457 problem (application/problem+json) " +
                    "with a stable type (x-problem-types; a wrong method on a route is method-not-allowed, 405). Staff routes read the caller from " +
                    "X-MS-CLIENT-PRINCIPAL and admit any one of the roles in their x-roles; the rest are anonymous. The portal's pages (/, /studies/…, " +
                    "/verify, /status/…, /assets/…) and the console's files (/console/…) are HTML and files, not the API, and are not listed.",
            },
            Paths = new OpenApiPaths(),
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal) { [ProblemSchema] = Problem() },
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
                {
                    [StaffPrincipal] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = Compliance.Identity.ClientPrincipal.HeaderName,
                        Description = "App Service Authentication's principal (base64 JSON with roles claims), set by the platform after sign-in; the self-host passes it on only where it is configured to trust it. The roles a route admits are its requirement's list and its x-roles: any one of them will do.",
                    },
                    [RelayKey] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = Mail.InboundMailHttp.KeyHeader,
                        Description = "A mail relay's key (Intake:RelayKey).",
                    },
                },
            },
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
            {
                [ProblemTypesExtension] = new JsonNodeExtension(new JsonArray([.. ProblemTypes.All.Select(t => (JsonNode)new JsonObject
                {
                    ["type"] = t.Uri,
                    ["statuses"] = new JsonArray([.. t.Statuses.Select(s => (JsonNode)JsonValue.Create(s))]),
                    ["meaning"] = t.Meaning,
                })])),
            },
        };
        return document;
    }

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Required = new SortedSet<string>(StringComparer.Ordinal) { "type", "title", "status" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Enum = [.. ProblemTypes.All.Select(t => (JsonNode)JsonValue.Create(t.Uri))] },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "validation only: each bad field or parameter and what is wrong with it.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    private static OpenApiOperation Operation(OpenApiDocument document, MethodInfo method, string route, ApiRoute described)
    {
        var pathNames = RoutePatternFactory.Parse(route).Parameters.Select(p => p.Name).ToList();
        var operation = new OpenApiOperation
        {
            OperationId = described.Function,
            Summary = described.Summary,
            Description = DescriptionOf(described),
            Tags = new HashSet<OpenApiTagReference> { new(TagOf(method), document) },
            Parameters = [.. pathNames.Select(n => PathParameter(n, described)), .. described.Query.Select(QueryParameter)],
            RequestBody = described.Body is { } body ? RequestBody(body) : null,
            Responses = Responses(document, described, pathNames.Count > 0),
        };
        if (described.Roles is { } roles)
        {
            var any = new JsonArray([.. roles.Select(r => (JsonNode)JsonValue.Create(r))]);
            operation.Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal) { [RolesExtension] = new JsonNodeExtension(any) };
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(StaffPrincipal, document)] = [.. roles] }];
            if (described.TakesRelayKey)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(RelayKey, document)] = [] });
            }
        }

        return operation;
    }

    private static string? DescriptionOf(ApiRoute described)
    {
        var roles = described.Roles is { } r ? $"Needs a principal with one of the roles: {string.Join(", ", r)}." : null;
        return string.Join(' ', new[] { roles, described.Description }.OfType<string>()) is { Length: > 0 } text ? text : null;
    }

    private static OpenApiParameter PathParameter(string name, ApiRoute described) => new()
    {
        Name = name,
        In = ParameterLocation.Path,
        Required = true,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = described.PathValues.TryGetValue(name, out var values) ? Values(values) : null },
    };

    private static OpenApiParameter QueryParameter(ApiQuery query) => new()
    {
        Name = query.Name,
        In = ParameterLocation.Query,
        Description = query.Description,
        Required = query.Required,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = query.Format, Enum = query.Values is { } values ? Values(values) : null },
    };

    private static OpenApiRequestBody RequestBody(ApiBody body) => new()
    {
        Description = body.Description,
        Required = true,
        Content = body.MediaTypes.ToDictionary(
            m => m,
            IOpenApiMediaType (_) => new OpenApiMediaType
            {
                Schema = body.Forms.Count switch
                {
                    0 => null,
                    1 => body.Forms[0](),
                    _ => new OpenApiSchema { AnyOf = [.. body.Forms.Select(f => (IOpenApiSchema)f())] },
                },
            }),
    };

    private static OpenApiResponses Responses(OpenApiDocument document, ApiRoute described, bool hasPathParameters)
    {
        var responses = new OpenApiResponses();
        foreach (var answer in described.Answers)
        {
            responses[answer.Status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = answer.Description,
                Content = answer.MediaTypes.ToDictionary(m => m, IOpenApiMediaType (_) => new OpenApiMediaType()),
            };
        }

        foreach (var (status, kinds) in ProblemsOf(described, hasPathParameters))
        {
            var types = kinds.Select(ProblemTypes.Of).ToList();
            responses[status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "A problem: " + string.Join("; ", types.Select(t => $"{t.Kind} ({t.Meaning})")) + ".",
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
                Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
                {
                    [ProblemTypesExtension] = new JsonNodeExtension(new JsonArray([.. types.Select(t => (JsonNode)JsonValue.Create(t.Uri))])),
                },
            };
        }

        return responses;
    }

    /// <summary>
    /// The problems of a route by status: those every route of its shape has (a staff route's 401 and 403, a path parameter's
    /// 404, a checked query's 400, its body's), then its own. A kind at a status <see cref="ProblemTypes"/> does not give it is a mistake.
    /// </summary>
    private static IEnumerable<(int Status, IReadOnlyList<string> Kinds)> ProblemsOf(ApiRoute described, bool hasPathParameters)
    {
        var all = new List<(int Status, string Kind)>();
        if (described.Roles is not null)
        {
            all.AddRange([(401, "unauthenticated"), (403, "forbidden")]);
        }

        if (hasPathParameters)
        {
            all.Add((404, "not-found"));
        }

        if (described.Query.Any(q => q.Checked))
        {
            all.Add((400, "validation"));
        }

        // Any route that reads or writes storage answers 503 when storage does not (ApiProblem.ForUnavailableStorage).
        if (described.Function is not (nameof(Health.HealthHttp.GetHealth) or nameof(OpenApiHttp.GetOpenApiDocument)))
        {
            all.Add((503, "unavailable"));
        }

        all.AddRange(described.Body?.Problems ?? []);
        all.AddRange(described.Problems);
        foreach (var (status, kind) in all.Where(p => !ProblemTypes.Of(p.Kind).Statuses.Contains(p.Status)))
        {
            throw new InvalidOperationException($"{described.Function}: ProblemTypes gives {kind} no status {status}.");
        }

        return all.Distinct().GroupBy(p => p.Status).OrderBy(g => g.Key).Select(g => (g.Key, (IReadOnlyList<string>)g.Select(p => p.Kind).ToList()));
    }

    /// <summary>The feature a route belongs to: its folder (namespace) in the Functions app.</summary>
    private static string TagOf(MethodInfo method) =>
        method.DeclaringType!.Namespace!.Replace("Compliance.Functions.", string.Empty, StringComparison.Ordinal).Split('.')[0];

    private static List<JsonNode> Values(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
