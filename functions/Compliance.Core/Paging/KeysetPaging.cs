using System.Buffers.Text;
using System.Text;

namespace Compliance.Paging;

/// <summary>
/// Paging by key, for every list of the API: items in the order of a unique sort key, a page of at most <c>limit</c>, and a
/// continuation that is the last key of the page (encoded, opaque to callers), not an offset, so an item added or removed
/// between two pages neither repeats one nor skips one. The list's own key function decides the order.
/// </summary>
public static class KeysetPaging
{
    /// <summary>The largest page a list gives.</summary>
    public const int MaxLimit = 200;

    /// <summary>The longest continuation taken (keys are ids and times, far shorter).</summary>
    public const int MaxContinuationLength = 400;

    /// <summary>The page after <paramref name="continuation"/> (from the start when null) of <paramref name="items"/> ordered by <paramref name="keyOf"/>.</summary>
    /// <exception cref="FormatException">The continuation is not one this service gave.</exception>
    public static (IReadOnlyList<T> Page, string? Continuation) Take<T>(IEnumerable<T> items, Func<T, string> keyOf, int limit, string? continuation)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var after = continuation is null ? null : Decode(continuation);
        var matching = items
            .Select(item => (Key: keyOf(item), Item: item))
            .Where(k => after is null || string.CompareOrdinal(k.Key, after) > 0)
            .OrderBy(k => k.Key, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        return (matching.Take(limit).Select(k => k.Item).ToList(), matching.Count > limit ? Encode(matching[limit - 1].Key) : null);
    }

    /// <summary>A sort key part that orders times oldest first (fixed width, so keys compare as text).</summary>
    public static string Ascending(DateTimeOffset at) => at.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A sort key part that orders times newest first.</summary>
    public static string Descending(DateTimeOffset at) => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A sort key part that orders dates oldest first.</summary>
    public static string Ascending(DateOnly date) => date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The continuation that resumes after <paramref name="key"/>, for a list that reads its own pages from storage.</summary>
    public static string Encode(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The key a continuation of this service resumes after.</summary>
    /// <exception cref="FormatException">The continuation is not one this service gave.</exception>
    public static string Decode(string continuation)
    {
        try
        {
            var key = continuation.Length <= MaxContinuationLength ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(continuation)) : string.Empty;
            return key.Length is > 0 and <= 300 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '|' or '-' or '_' or '.' or ':')
                ? key
                : throw new FormatException("The continuation is not one this service gave.");
        }
        catch (FormatException)
        {
            throw new FormatException("The continuation is not one this service gave.");
        }
    }
}
