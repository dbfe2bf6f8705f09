using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>Reads a JSON request body with a size limit, turning every way it can be wrong into a 400 problem.</summary>
public static class JsonBody
{
    /// <summary>
    /// The parsed body, or a problem: not JSON content, larger than <paramref name="maxBytes"/>, empty, malformed, not an object,
    /// or not strictly sound (<see cref="StrictJson"/>: a repeated field, invalid UTF-8, an unpaired surrogate).
    /// The caller disposes the document.
    /// </summary>
    public static async Task<(JsonDocument? Document, IActionResult? Problem)> ReadObjectAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { Length: > 0 } contentType &&
            !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) &&
            !contentType.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblem.BadRequest("unsupported-content-type", "The body must be JSON.", $"Send Content-Type: application/json (got '{ApiProblem.Quote(contentType)}')."));
        }

        var (bytes, problem) = await BoundedBody.ReadAsync(request, maxBytes, () => TooLarge(maxBytes), cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (bytes!.Length == 0)
        {
            return (null, ApiProblem.BadRequest("empty-body", "The body is empty.", "Send a JSON object."));
        }

        try
        {
            var document = JsonDocument.Parse(bytes.AsMemory(), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, ApiProblem.BadRequest("malformed-json", "The body is not a JSON object.", "Send a JSON object."));
            }

            if (StrictJson.FindFault(document.RootElement) is { } fault)
            {
                document.Dispose();
                return (null, ApiProblem.Invalid(ApiProblem.Quote(fault.Field), fault.Message));
            }

            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblem.BadRequest(
                "malformed-json",
                "The body is not valid JSON.",
                $"The JSON could not be read at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}."));
        }
    }

    /// <summary>
    /// Reads the body as <typeparamref name="T"/> by its <paramref name="schema"/>: every problem <see cref="ReadObjectAsync"/>
    /// finds, then every field the schema's validator finds wrong, at once, as a 400 problem.
    /// </summary>
    public static async Task<(T? Body, IActionResult? Problem)> ReadAsync<T>(HttpRequest request, BodySchema<T> schema, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(schema);
        var (document, problem) = await ReadObjectAsync(request, maxBytes, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            var fields = new JsonFields(document!.RootElement, schema.Fields);
            var body = schema.Read(fields);
            if (schema.Check is { } check)
            {
                await check(body, fields, cancellationToken);
            }

            return fields.HasErrors ? (null, ApiProblem.Validation(fields.Errors)) : (body, null);
        }
    }

    private static ObjectResult TooLarge(int maxBytes) =>
        ApiProblem.BadRequest("body-too-large", "The body is too large.", $"Send at most {maxBytes} bytes.");
}

/// <summary>
/// A route's typed body: the fields it takes (any other is an error) and its validator, which reads them into the record
/// through <see cref="JsonFields"/>, adding an error for each bad one. The validator must not keep <see cref="JsonElement"/>s:
/// the document is disposed when it returns. Where a field is bad the record holds a placeholder; it is never used then.
/// </summary>
public sealed record BodySchema<T>(IReadOnlyCollection<string> Fields, Func<JsonFields, T> Read)
{
    /// <summary>
    /// A rule that needs the stores (is the study registered?), run after <see cref="Read"/> on the same fields, so its
    /// errors are reported with the others; it decides itself whether to run when other fields are already wrong.
    /// </summary>
    public Func<T, JsonFields, CancellationToken, Task>? Check { get; init; }
}
