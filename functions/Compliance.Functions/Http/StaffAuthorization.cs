using Compliance.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// The one authorization check of every staff route. The principal comes from <c>X-MS-CLIENT-PRINCIPAL</c>, which App Service
/// Authentication sets in Azure; the self-host passes it through only when it is configured to trust it, so this code path is
/// the same in both hosts.
/// </summary>
public static class StaffAuthorization
{
    /// <summary>
    /// The caller's principal when it holds one of <paramref name="roles"/>; otherwise a 401 problem (no or malformed principal)
    /// or a 403 problem (no such role) to return as it is.
    /// </summary>
    public static AuthorizationOutcome Require(HttpRequest request, IReadOnlyCollection<string> roles)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(roles);
        if (!ClientPrincipal.TryParse(
                request.Headers[ClientPrincipal.HeaderName].FirstOrDefault(),
                request.Headers[ClientPrincipal.IdHeaderName].FirstOrDefault(),
                out var principal,
                out var error))
        {
            return new AuthorizationOutcome(null, ApiProblem.Unauthenticated($"This route is for staff: {error}."));
        }

        if (!principal!.IsInAnyRole(roles))
        {
            return new AuthorizationOutcome(null, ApiProblem.Forbidden($"This route needs one of the roles: {string.Join(", ", roles)}."));
        }

        return new AuthorizationOutcome(principal, null);
    }

    /// <summary>Whether the request carries a principal header at all (valid or not).</summary>
    public static bool HasPrincipalHeader(HttpRequest request) =>
        request is not null && request.Headers.ContainsKey(ClientPrincipal.HeaderName);
}

/// <summary>The result of <see cref="StaffAuthorization.Require"/>: a principal, or the problem to return.</summary>
public readonly record struct AuthorizationOutcome(ClientPrincipal? Principal, IActionResult? Denied);
