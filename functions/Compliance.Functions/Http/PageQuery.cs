using System.Globalization;
using Compliance.Paging;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>What a list route was asked for: at most <paramref name="Limit"/> items, after <paramref name="Continuation"/>.</summary>
public readonly record struct PageRequest(int Limit, string? Continuation);

/// <summary>
/// The paging parameters every list route takes, <c>limit</c> (1 to <see cref="KeysetPaging.MaxLimit"/>) and
/// <c>continuation</c> (the one the previous page gave), read with one rule; and the page, or the 400 for a continuation
/// this service did not give.
/// </summary>
public static class PageQuery
{
    /// <summary>The page size when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The parameter names, for routes that list the ones they know.</summary>
    public static IReadOnlyList<string> Parameters { get; } = ["limit", "continuation"];

    /// <summary>Reads <c>limit</c> and <c>continuation</c>; a bad one is named in <paramref name="reader"/>'s 400.</summary>
    public static PageRequest Read(QueryReader reader, int defaultLimit = DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var limit = reader.Text("limit", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= KeysetPaging.MaxLimit, $"must be a whole number from 1 to {KeysetPaging.MaxLimit}.");
        var continuation = reader.Text("continuation", v => v.Length <= KeysetPaging.MaxContinuationLength, "is not one this service gave.");
        return new PageRequest(limit is null ? defaultLimit : int.Parse(limit, CultureInfo.InvariantCulture), continuation);
    }

    /// <summary>For a list whose only parameters are the paging ones: the page asked for, or the 400 naming every bad parameter.</summary>
    public static (PageRequest Page, ObjectResult? Problem) ReadAlone(Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        var reader = new QueryReader(query);
        reader.RejectUnknown(Parameters);
        var page = Read(reader);
        return (page, reader.Problem());
    }

    /// <summary>
    /// The page of <paramref name="items"/> (ordered by <paramref name="keyOf"/>, a unique key) as <paramref name="shape"/>
    /// makes the answer from it and the next continuation; a 400 naming <c>continuation</c> when it is not one this gave.
    /// </summary>
    public static IActionResult Answer<T>(IEnumerable<T> items, Func<T, string> keyOf, PageRequest page, Func<IReadOnlyList<T>, string?, object> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (taken, next, problem) = Take(items, keyOf, page);
        return problem ?? new OkObjectResult(shape(taken!, next));
    }

    /// <summary>The page itself and the next continuation, or the 400 naming <c>continuation</c> when it is not one this gave.</summary>
    public static (IReadOnlyList<T>? Page, string? Next, IActionResult? Problem) Take<T>(IEnumerable<T> items, Func<T, string> keyOf, PageRequest page)
    {
        try
        {
            var (taken, next) = KeysetPaging.Take(items, keyOf, page.Limit, page.Continuation);
            return (taken, next, null);
        }
        catch (FormatException ex)
        {
            return (null, null, ApiProblem.Invalid("continuation", ex.Message));
        }
    }
}
