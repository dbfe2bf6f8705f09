using System.Text;
using Compliance.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Compliance.Functions.Portal;

/// <summary>
/// A form post as the portal reads it: <c>application/x-www-form-urlencoded</c> only, read whole within a small limit, each
/// field at most once. Anything else is refused with a page rather than read in part.
/// </summary>
public sealed class PortalForm
{
    /// <summary>The largest form accepted: the request form's fields at their limits, with room to spare.</summary>
    public const int MaxBytes = 32 * 1024;

    private readonly Dictionary<string, string> fields;

    private PortalForm(Dictionary<string, string> fields) => this.fields = fields;

    /// <summary>The trimmed value of <paramref name="name"/>, or null when it is absent or blank.</summary>
    public string? this[string name] => fields.TryGetValue(name, out var value) && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    /// <summary>The form, or null when the body is not a whole, well-formed form within the limit (the caller answers 400).</summary>
    public static async Task<PortalForm?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return null;
        }

        var (bytes, problem) = await BoundedBody.ReadAsync(request, MaxBytes, () => new StatusCodeResult(StatusCodes.Status413PayloadTooLarge), cancellationToken);
        if (problem is not null)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes!);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in QueryHelpers.ParseQuery(text))
        {
            if (values.Count != 1 || !fields.TryAdd(name, values[0] ?? string.Empty))
            {
                return null;
            }
        }

        return new PortalForm(fields);
    }
}
