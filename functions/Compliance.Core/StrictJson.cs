using System.Text.Json;

namespace Compliance;

/// <summary>
/// What the JSON parser lets through but a body must not hold: a property that appears twice in one object (which of the
/// two would count is a parser's choice, so neither does), and text that is not text: invalid UTF-8 or an unpaired UTF-16
/// surrogate (<c>"\ud800"</c>), in a name or a value. Each is named by its path (<c>details.name</c>, <c>items[2]</c>).
/// Every JSON that comes from outside is held to it: request bodies and the staff principal header.
/// </summary>
public static class StrictJson
{
    /// <summary>The first field that breaks the rules and what is wrong with it, or null when the document is sound.</summary>
    public static (string Field, string Message)? FindFault(JsonElement root) => Walk(root, path: "");

    private static (string Field, string Message)? Walk(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var name = property.Name;
                    var field = path.Length == 0 ? name : $"{path}.{name}";
                    if (!IsSoundText(name))
                    {
                        return (path.Length == 0 ? "(a field name)" : $"{path}.(a field name)", "is not valid text: a field name holds an unpaired surrogate or invalid UTF-8.");
                    }

                    if (!names.Add(name))
                    {
                        return (field, "appears more than once.");
                    }

                    if (Walk(property.Value, field) is { } fault)
                    {
                        return fault;
                    }
                }

                return null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Walk(item, $"{path}[{index++}]") is { } fault)
                    {
                        return fault;
                    }
                }

                return null;

            case JsonValueKind.String:
                string? text;
                try
                {
                    // GetString refuses invalid UTF-8 and a lone high surrogate escape; a lone low one it lets through.
                    text = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    text = null;
                }

                return text is not null && IsSoundText(text)
                    ? null
                    : (path.Length == 0 ? "(body)" : path, "is not valid text: it holds invalid UTF-8 or an unpaired surrogate.");

            default:
                return null;
        }
    }

    /// <summary>Whether every surrogate in <paramref name="text"/> is half of a pair.</summary>
    public static bool IsSoundText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
