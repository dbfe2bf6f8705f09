using Compliance.Functions.Http;
using Microsoft.OpenApi;

namespace Compliance.Functions.Api;

/// <summary>
/// What the OpenAPI document says of one API route beyond what its <c>[Function]</c> and <c>[HttpTrigger]</c> already say
/// (its name, methods and path, read from them): who may call it, what it takes and what it answers.
/// </summary>
/// <param name="Function">The function's name, <c>nameof</c> its method.</param>
/// <param name="Summary">One line on what it does.</param>
public sealed record ApiRoute(string Function, string Summary)
{
    /// <summary>The role set the route passes to <see cref="StaffAuthorization"/>, the same object; null for a route anyone may call.</summary>
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>Whether a relay's key in <c>x-functions-key</c> is taken instead of a staff principal.</summary>
    public bool TakesRelayKey { get; init; }

    public string? Description { get; init; }

    public ApiBody? Body { get; init; }

    public IReadOnlyList<ApiQuery> Query { get; init; } = [];

    /// <summary>The values a path parameter may take, where they are a fixed list (a DPO's action).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PathValues { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The answers that are not problems.</summary>
    public IReadOnlyList<ApiAnswer> Answers { get; init; } = [ApiAnswer.Json(200, "OK.")];

    /// <summary>
    /// The problems the route answers with beyond those every route of its shape has (a staff route's 401 and 403, a path
    /// parameter's 404, a query's or a JSON body's 400), each as its status and kind.
    /// </summary>
    public IReadOnlyList<(int Status, string Kind)> Problems { get; init; } = [];
}

/// <summary>An answer that is not a problem: its status, what it means and the media types it comes as.</summary>
public sealed record ApiAnswer(int Status, string Description, IReadOnlyList<string> MediaTypes)
{
    public static ApiAnswer Json(int status, string description) => new(status, description, ["application/json"]);

    public static ApiAnswer Text(int status, string description, string mediaType = "text/plain") => new(status, description, [mediaType]);
}

/// <summary>A query parameter: its name, what it is, whether it is required and, where they are a fixed list, its values.</summary>
public sealed record ApiQuery(string Name, string Description)
{
    public bool Required { get; init; }

    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>The JSON Schema format of the value (<c>date</c>), if any.</summary>
    public string? Format { get; init; }

    /// <summary>
    /// Whether the route refuses a bad value with a 400 naming it (<see cref="QueryReader"/>); a route that only looks for
    /// one value of it and otherwise ignores it does not.
    /// </summary>
    public bool Checked { get; init; } = true;

    /// <summary><c>limit</c> and <c>continuation</c>, as every list route reads them (<see cref="PageQuery"/>).</summary>
    public static IReadOnlyList<ApiQuery> Paging { get; } =
    [
        new(PageQuery.Parameters[0], $"How many items at most, 1 to {Compliance.Paging.KeysetPaging.MaxLimit} ({PageQuery.DefaultLimit} if not given)."),
        new(PageQuery.Parameters[1], "The continuation the previous page gave, with the same filters; the last page gives null."),
    ];

    /// <summary>A list of one study's items: <c>studyId</c> (required) and paging, as <see cref="StaffRoute.StudyFromQueryAsync"/> reads them.</summary>
    public static IReadOnlyList<ApiQuery> StudyScoped { get; } = [new("studyId", "The study, by its id.") { Required = true }, .. Paging];
}

/// <summary>
/// A request body: the media types it is taken as and, for JSON bodies, the schema of each form it may take, described from
/// the very <see cref="BodySchema{T}"/> the route reads it with.
/// </summary>
public sealed record ApiBody(string Description, IReadOnlyList<string> MediaTypes, IReadOnlyList<Func<OpenApiSchema>> Forms, IReadOnlyList<(int Status, string Kind)> Problems)
{
    /// <summary>What <see cref="JsonBody.ReadAsync"/> refuses a body with, whatever its schema.</summary>
    public static IReadOnlyList<(int Status, string Kind)> JsonProblems { get; } =
        [(400, "validation"), (400, "malformed-json"), (400, "empty-body"), (400, "body-too-large"), (400, "unsupported-content-type")];

    /// <summary>A JSON object read by <paramref name="schema"/>.</summary>
    public static ApiBody Json<T>(BodySchema<T> schema, string description = "A JSON object; any other field is refused.")
        where T : class => new(description, ["application/json"], [() => BodyDescriptions.Describe(schema, title: null)], JsonProblems);

    /// <summary>A JSON object read by one of <paramref name="forms"/>, each named (a DPO's action, a task's kind).</summary>
    public static ApiBody JsonForms<T>(IEnumerable<(string Title, BodySchema<T> Schema)> forms, string description)
        where T : class => new(description, ["application/json"], forms.Select(f => (Func<OpenApiSchema>)(() => BodyDescriptions.Describe(f.Schema, f.Title))).ToList(), JsonProblems);

    /// <summary>A body taken as it is (a file, a raw email), with the problems its route refuses it with.</summary>
    public static ApiBody Raw(string description, IReadOnlyList<string> mediaTypes, params (int Status, string Kind)[] problems) =>
        new(description, mediaTypes, [], problems);
}
