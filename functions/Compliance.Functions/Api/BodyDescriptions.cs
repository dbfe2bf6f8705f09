using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Functions.Http;
using Microsoft.OpenApi;

namespace Compliance.Functions.Api;

/// <summary>
/// The JSON Schema of a route's body, read off its <see cref="BodySchema{T}"/>: the schema's validator is run on an empty
/// object, and every field it asks <see cref="JsonFields"/> for (with its kind, whether it is required, its limits and its
/// rule) becomes a property. The fields the schema takes and nothing else (unknown fields are refused); a field it takes but
/// reads only when another is there (a rectification's <c>changes</c>) is a property without a type.
/// </summary>
public static class BodyDescriptions
{
    private const string OneOfPrefix = "must be one of: ";

    public static OpenApiSchema Describe<T>(BodySchema<T> schema, string? title)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var empty = JsonDocument.Parse("{}");
        var fields = new JsonFields(empty.RootElement, schema.Fields);

        // Only the validator: its store checks (Check) look things up and add nothing to the shape.
        schema.Read(fields);

        var described = new OpenApiSchema
        {
            Title = title,
            Type = JsonSchemaType.Object,
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            Required = new SortedSet<string>(StringComparer.Ordinal),
        };
        foreach (var field in schema.Fields)
        {
            var read = fields.Reads.FirstOrDefault(r => r.Field == field);
            described.Properties[field] = read is null ? new OpenApiSchema { Description = "Read only together with other fields; see docs/api.md." } : PropertyOf(read);
            if (read is { Required: true })
            {
                described.Required.Add(field);
            }
        }

        return described;
    }

    private static OpenApiSchema PropertyOf(JsonFieldRead read) => read.Kind switch
    {
        JsonFieldKind.Text => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MaxLength = read.MaxLength,
            Description = Sentence(read.Rule),
            Enum = ValuesOf(read),
        },
        JsonFieldKind.Date => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date", Description = "A date written yyyy-mm-dd." },
        JsonFieldKind.Boolean => new OpenApiSchema { Type = JsonSchemaType.Boolean },
        JsonFieldKind.StringArray => new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MinItems = 1,
            MaxItems = read.MaxItems,
            UniqueItems = true,
            Items = new OpenApiSchema { Type = JsonSchemaType.String, Description = Sentence(read.Rule) },
        },
        _ => new OpenApiSchema { Type = JsonSchemaType.Object },
    };

    /// <summary>"must be one of: a, b." as the value list it names, when each of them passes the rule's own test.</summary>
    private static List<JsonNode>? ValuesOf(JsonFieldRead read)
    {
        if (read.Rule is not { } rule || read.IsValid is not { } isValid || !rule.StartsWith(OneOfPrefix, StringComparison.Ordinal) || !rule.EndsWith('.'))
        {
            return null;
        }

        var values = rule[OneOfPrefix.Length..^1].Split(", ");
        return values.All(isValid) ? values.Select(v => (JsonNode)JsonValue.Create(v)).ToList() : null;
    }

    /// <summary>A rule (<c>must be …</c>) as a sentence about the value.</summary>
    private static string? Sentence(string? rule) =>
        rule is null ? null : $"It {rule.TrimEnd('.')}.";
}
