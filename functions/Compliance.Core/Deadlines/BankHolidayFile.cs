using System.Globalization;
using System.Text.Json;

namespace Compliance.Deadlines;

/// <summary>
/// Reads and checks <c>data/bank-holidays-england-and-wales.json</c>. A mistake there would silently move statutory
/// deadlines, so anything unexpected is refused with the position and text of the entry that is wrong.
/// </summary>
internal static class BankHolidayFile
{
    public const string FileName = "bank-holidays-england-and-wales.json";
    public const string ResourceName = "Compliance.Deadlines." + FileName;

    private const string DateFormat = "yyyy-MM-dd";
    private static readonly string[] TopLevel = ["description", "additional", "moved"];
    private static readonly string[] AdditionalFields = ["date", "name"];
    private static readonly string[] MovedFields = ["from", "to", "name"];

    public static IReadOnlyList<BankHolidayChange> Read(Stream json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document, source);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {ex.Message}", ex);
        }
    }

    public static IReadOnlyList<BankHolidayChange> Read(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document, source);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {ex.Message}", ex);
        }
    }

    private static List<BankHolidayChange> Read(JsonDocument document, string source)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: expected a JSON object with {string.Join(", ", TopLevel)}.");
        }

        var properties = Properties(root, TopLevel, source);
        if (properties.TryGetValue("description", out var description) && description.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{source}: description must be a string.");
        }

        var entries = new List<Entry>();
        foreach (var (element, label) in Array(properties, "additional", source))
        {
            var fields = Properties(element, AdditionalFields, $"{source}: {label}", required: true);
            entries.Add(new Entry(label, Date(fields["date"], "date", label, source), Name(fields["name"], label, source), null));
        }

        foreach (var (element, label) in Array(properties, "moved", source))
        {
            var fields = Properties(element, MovedFields, $"{source}: {label}", required: true);
            var from = Date(fields["from"], "from", label, source);
            entries.Add(new Entry(label, Date(fields["to"], "to", label, source), Name(fields["name"], label, source), from));
        }

        Check(entries, source);
        return entries.Select(e => new BankHolidayChange(e.Date, e.Name, e.MovedFrom)).ToList();
    }

    // Checks each entry against the usual holidays and the other entries, so a typo in a date cannot go unnoticed.
    private static void Check(List<Entry> entries, string source)
    {
        var usual = entries
            .SelectMany(e => e.MovedFrom is { } from ? new[] { e.Date.Year, from.Year } : [e.Date.Year])
            .Distinct()
            .SelectMany(EnglandAndWalesBankHolidays.UsualFor)
            .ToDictionary(h => h.Date, h => h.Name);
        var givenBy = new Dictionary<DateOnly, string>();
        var movedBy = new Dictionary<DateOnly, string>();

        foreach (var entry in entries)
        {
            var day = Iso(entry.Date);
            if (entry.MovedFrom is { } from)
            {
                if (!usual.TryGetValue(from, out var usualName))
                {
                    Fail(entry, $"{Iso(from)} is not a usual bank holiday, so it cannot be moved.");
                }

                if (from == entry.Date)
                {
                    Fail(entry, $"it moves {Iso(from)} ({usualName}) to the same day.");
                }

                if (!movedBy.TryAdd(from, entry.Label))
                {
                    Fail(entry, $"{Iso(from)} is already moved by {movedBy[from]}.");
                }
            }

            if (EnglandAndWalesBankHolidays.IsWeekend(entry.Date))
            {
                Fail(entry, string.Create(CultureInfo.InvariantCulture, $"{day} is a {entry.Date:dddd}; a bank holiday is always a weekday."));
            }

            if (usual.TryGetValue(entry.Date, out var existing))
            {
                Fail(entry, $"{day} is already a bank holiday ({existing}).");
            }

            if (!givenBy.TryAdd(entry.Date, entry.Label))
            {
                Fail(entry, $"{day} is already given by {givenBy[entry.Date]}.");
            }
        }

        void Fail(Entry entry, string problem) => throw new InvalidDataException($"{source}: {entry.Label}: {problem}");
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement element, string[] allowed, string where, bool required = false)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: expected an object with {string.Join(", ", allowed)}.");
        }

        var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"{where}: unknown property \"{property.Name}\"; expected {string.Join(", ", allowed)}.");
            }

            if (!found.TryAdd(property.Name, property.Value))
            {
                throw new InvalidDataException($"{where}: \"{property.Name}\" is given twice.");
            }
        }

        var missing = required ? allowed.Where(a => !found.ContainsKey(a)).ToList() : [];
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{where}: missing {string.Join(", ", missing)}.");
        }

        return found;
    }

    private static IEnumerable<(JsonElement Element, string Label)> Array(Dictionary<string, JsonElement> properties, string name, string source)
    {
        if (!properties.TryGetValue(name, out var array))
        {
            yield break;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: {name} must be an array.");
        }

        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            // The entry's own text goes into the label, so a message points at it even in a long file.
            yield return (element, string.Create(CultureInfo.InvariantCulture, $"{name}[{index}] {element.GetRawText()}"));
            index++;
        }
    }

    private static DateOnly Date(JsonElement value, string field, string label, string source)
    {
        if (value.ValueKind != JsonValueKind.String
            || !DateOnly.TryParseExact(value.GetString(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new InvalidDataException($"{source}: {label}: {field} is not a date written {DateFormat}.");
        }

        if (date.Year < EnglandAndWalesBankHolidays.FirstYear)
        {
            throw new InvalidDataException(
                $"{source}: {label}: {field} is before {EnglandAndWalesBankHolidays.FirstYear}, the first year bank holidays are known for.");
        }

        return date;
    }

    private static string Name(JsonElement value, string label, string source) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { } name && !string.IsNullOrWhiteSpace(name)
            ? name.Trim()
            : throw new InvalidDataException($"{source}: {label}: name must be a non-empty string.");

    private static string Iso(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private sealed record Entry(string Label, DateOnly Date, string Name, DateOnly? MovedFrom);
}
