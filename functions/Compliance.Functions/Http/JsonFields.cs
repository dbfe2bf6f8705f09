using System.Globalization;
using System.Text.Json;

namespace Compliance.Functions.Http;

/// <summary>
/// Reads the fields of a JSON object body and collects what is wrong with each, so a 400 names every bad field at once.
/// Unknown fields are errors too: a misspelt optional field would otherwise be silently ignored.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement body;
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);
    private readonly List<JsonFieldRead> reads = [];

    public JsonFields(JsonElement body, IReadOnlyCollection<string> knownFields)
    {
        ArgumentNullException.ThrowIfNull(knownFields);
        this.body = body;
        foreach (var property in body.EnumerateObject())
        {
            if (!knownFields.Contains(property.Name, StringComparer.Ordinal))
            {
                Add(ApiProblem.Quote(property.Name), "is not a field here.");
            }
        }
    }

    public bool HasErrors => errors.Count > 0;

    /// <summary>
    /// Every field asked for, in order, with the rule it was read by: what a body's validator reads is what the OpenAPI
    /// document says of the body (Api/BodyDescriptions), so the two cannot differ.
    /// </summary>
    public IReadOnlyList<JsonFieldRead> Reads => reads;

    /// <summary>The errors, field by field, for <see cref="ApiProblem.Validation"/>.</summary>
    public Dictionary<string, string[]> Errors => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    public bool Has(string field) => body.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A trimmed string of at most <paramref name="maxLength"/> characters, without control characters other than line breaks and tabs.</summary>
    public string? Text(string field, bool required, int maxLength)
    {
        Note(new(field, JsonFieldKind.Text, required, MaxLength: maxLength));
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, "must be a string.");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            if (required)
            {
                Add(field, "must not be empty.");
            }

            return null;
        }

        if (text.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
            return null;
        }

        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            Add(field, "must not contain control characters.");
            return null;
        }

        return text;
    }

    /// <summary>A string that must satisfy <paramref name="isValid"/>; <paramref name="rule"/> says what it must be.</summary>
    public string? Text(string field, bool required, int maxLength, Func<string, bool> isValid, string rule)
    {
        var text = Text(field, required, maxLength);
        Note(new(field, JsonFieldKind.Text, required, MaxLength: maxLength, Rule: rule, IsValid: isValid));
        if (text is not null && !isValid(text))
        {
            Add(field, rule);
            return null;
        }

        return text;
    }

    /// <summary>A date written <c>yyyy-MM-dd</c>.</summary>
    public DateOnly? Date(string field, bool required)
    {
        var text = Text(field, required, 10);
        Note(new(field, JsonFieldKind.Date, required));
        if (text is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Add(field, "must be a date written yyyy-mm-dd.");
            return null;
        }

        return date;
    }

    public bool? Boolean(string field)
    {
        Note(new(field, JsonFieldKind.Boolean, Required: false));
        if (!TryGet(field, required: false, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Add(field, "must be true or false.");
        return null;
    }

    /// <summary>A non-empty array of strings, each satisfying <paramref name="isValid"/>, without duplicates.</summary>
    public IReadOnlyList<string>? StringArray(string field, bool required, int maxItems, Func<string, bool> isValid, string rule)
    {
        Note(new(field, JsonFieldKind.StringArray, required, MaxItems: maxItems, Rule: rule, IsValid: isValid));
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0 || value.GetArrayLength() > maxItems)
        {
            Add(field, $"must be an array of 1 to {maxItems} strings.");
            return null;
        }

        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !isValid(item.GetString()!))
            {
                Add(field, rule);
                return null;
            }

            items.Add(item.GetString()!);
        }

        if (items.Distinct(StringComparer.Ordinal).Count() != items.Count)
        {
            Add(field, "must not repeat an item.");
            return null;
        }

        return items;
    }

    /// <summary>A nested JSON object, returned raw.</summary>
    public JsonElement? Mapping(string field, bool required)
    {
        Note(new(field, JsonFieldKind.Mapping, required));
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(field, "must be an object.");
            return null;
        }

        return value;
    }

    /// <summary>Keeps the last word on a field: a date is read as a short text first, then as a date.</summary>
    private void Note(JsonFieldRead read)
    {
        var at = reads.FindIndex(r => r.Field == read.Field);
        if (at < 0)
        {
            reads.Add(read);
        }
        else
        {
            reads[at] = read;
        }
    }

    private bool TryGet(string field, bool required, out JsonElement value)
    {
        if (!body.TryGetProperty(field, out value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Add(field, "is required.");
            }

            return false;
        }

        return true;
    }
}

/// <summary>How a body's field is read.</summary>
public enum JsonFieldKind
{
    Text,
    Date,
    Boolean,
    StringArray,
    Mapping,
}

/// <summary>
/// One field a validator asked <see cref="JsonFields"/> for: its kind, whether it is required, its limits, and the rule
/// (with the test behind it) that a value breaking it is refused with.
/// </summary>
public sealed record JsonFieldRead(string Field, JsonFieldKind Kind, bool Required, int? MaxLength = null, int? MaxItems = null, string? Rule = null, Func<string, bool>? IsValid = null);
