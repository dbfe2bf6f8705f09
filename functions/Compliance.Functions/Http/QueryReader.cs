using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// A route's query string, read parameter by parameter with one set of rules: each at most once, each value valid or named
/// in the 400 with its rule, dates as <c>yyyy-MM-dd</c>, and (where a route says so) no parameter it does not know, so a
/// misspelt filter never silently widens an answer. <see cref="Problem"/> is the 400 naming every bad parameter, or null.
/// </summary>
public sealed class QueryReader(IQueryCollection query)
{
    private readonly Dictionary<string, string[]> errors = new(StringComparer.Ordinal);

    public bool HasError(string name) => errors.ContainsKey(name);

    /// <summary>Names <paramref name="name"/> in the 400 with <paramref name="message"/> (unless it is named already).</summary>
    public void Add(string name, string message) => errors.TryAdd(name, [message]);

    /// <summary>
    /// The value of <paramref name="name"/>: null when absent (or, unless <paramref name="emptyIsAbsent"/> is false, empty);
    /// an error when given twice, empty where that is not allowed, or not <paramref name="valid"/>.
    /// </summary>
    public string? Text(string name, Func<string, bool>? valid = null, string? rule = null, bool emptyIsAbsent = true)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            Add(name, "may be given once.");
            return null;
        }

        var value = values[0];
        if (string.IsNullOrEmpty(value))
        {
            if (!emptyIsAbsent)
            {
                Add(name, "must not be empty; leave it out to not filter by it.");
            }

            return null;
        }

        if (valid is not null && !valid(value))
        {
            Add(name, rule ?? "is not valid.");
            return null;
        }

        return value;
    }

    /// <summary>The date in <paramref name="name"/> (<c>yyyy-MM-dd</c>), or null when absent or wrong (then named).</summary>
    public DateOnly? Date(string name)
    {
        var text = Text(name, v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), "must be a date, yyyy-MM-dd.");
        return text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Names every parameter not in <paramref name="known"/> (any case), saying which the route takes.</summary>
    public void RejectUnknown(IReadOnlyCollection<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        foreach (var key in query.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            Add(key, known.Count == 0 ? "is not a parameter of this route." : $"is not a parameter of this route; use {string.Join(", ", known)}.");
        }
    }

    /// <summary>The 400 naming every bad parameter, or null when there is none.</summary>
    public ObjectResult? Problem(string? detail = null) =>
        errors.Count == 0 ? null : ApiProblem.Validation(errors, detail ?? "See 'errors' for what is wrong with each query parameter.");
}
