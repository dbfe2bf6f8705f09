using Compliance.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// The preludes staff routes share, each in the order its routes check: the principal (401/403), then the thing the route
/// names (404), then the typed body (400). A route calls one and returns its problem as it is.
/// </summary>
public static class StaffRoute
{
    /// <summary>The principal check, then the body read by <paramref name="schema"/>.</summary>
    public static Task<StaffBody<T>> ReadAsync<T>(HttpRequest request, IReadOnlyCollection<string> roles, BodySchema<T> schema, int maxBytes, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(request, roles, idIsWellFormed: true, idRule: string.Empty, schema, maxBytes, cancellationToken);

    /// <summary>
    /// The principal check, then the route's own id (a 400 on <c>id</c> saying <paramref name="idRule"/> unless it is
    /// <paramref name="idIsWellFormed"/>), then the body read by <paramref name="schema"/>: for routes that create what the id names.
    /// </summary>
    public static async Task<StaffBody<T>> ReadAsync<T>(HttpRequest request, IReadOnlyCollection<string> roles, bool idIsWellFormed, string idRule, BodySchema<T> schema, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var auth = StaffAuthorization.Require(request, roles);
        if (auth.Denied is not null)
        {
            return new(null, null, auth.Denied);
        }

        if (!idIsWellFormed)
        {
            return new(null, null, ApiProblem.Invalid("id", idRule));
        }

        var (body, problem) = await JsonBody.ReadAsync(request, schema, maxBytes, cancellationToken);
        return new(auth.Principal, body, problem);
    }

    /// <summary>
    /// The principal check, then what the route's id names: a 404 saying <paramref name="notFound"/> when the id is not
    /// <paramref name="wellFormed"/> (not looked up) or <paramref name="find"/> finds nothing.
    /// </summary>
    public static async Task<StaffTarget<T>> FindAsync<T>(HttpRequest request, IReadOnlyCollection<string> roles, bool wellFormed, Func<Task<T?>> find, string notFound)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(find);
        var auth = StaffAuthorization.Require(request, roles);
        if (auth.Denied is not null)
        {
            return new(null, null, auth.Denied);
        }

        var found = wellFormed ? await find() : null;
        return found is null ? new(null, null, ApiProblem.NotFound(notFound)) : new(auth.Principal, found, null);
    }

    /// <summary>
    /// For a list scoped to one study: the principal check, then the query, <c>studyId</c> (required, a study id) and the
    /// paging parameters and nothing else (a 400 naming what is wrong), then the study (a 404 unless <paramref name="exists"/>).
    /// The study id and the page asked for, or the problem.
    /// </summary>
    public static async Task<StaffTarget<StudyListQuery>> StudyFromQueryAsync(HttpRequest request, IReadOnlyCollection<string> roles, Func<string, Task<bool>> exists)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exists);
        var auth = StaffAuthorization.Require(request, roles);
        if (auth.Denied is not null)
        {
            return new(null, null, auth.Denied);
        }

        var reader = new QueryReader(request.Query);
        reader.RejectUnknown(["studyId", .. PageQuery.Parameters]);
        var studyId = reader.Text("studyId", Compliance.Studies.StudyIds.IsWellFormed, "must be a study id.");
        if (studyId is null)
        {
            reader.Add("studyId", "is required.");
        }

        var page = PageQuery.Read(reader);
        if (reader.Problem() is { } bad)
        {
            return new(null, null, bad);
        }

        return await exists(studyId!) ? new(auth.Principal, new StudyListQuery(studyId!, page), null) : new(null, null, ApiProblem.NotFound("There is no study with that id."));
    }
}

/// <summary>A study-scoped list's query: which study, and which page.</summary>
public sealed record StudyListQuery(string StudyId, PageRequest Page);

/// <summary>The outcome of <c>StaffRoute.ReadAsync</c>: the principal and the body, or the problem to return.</summary>
public readonly record struct StaffBody<T>(ClientPrincipal? Principal, T? Body, IActionResult? Problem);

/// <summary>The outcome of <see cref="StaffRoute.FindAsync"/>: the principal and what the id names, or the problem to return.</summary>
public readonly record struct StaffTarget<T>(ClientPrincipal? Principal, T? Found, IActionResult? Problem);
