using Compliance.Functions.Console;
using Compliance.Functions.Http;
using Compliance.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Identity;

/// <summary>
/// Who the caller is to the API, for the staff console: <c>GET /api/me</c>, and, only where the host trusts the principal
/// header, <c>POST /api/me/local-sign-in</c> that makes the header App Service Authentication would set (ADR 0014).
/// </summary>
public sealed class StaffSessionHttp(IOptions<ConsoleOptions> options, IOptions<HttpOptions> httpOptions)
{
    /// <summary>Where App Service Authentication signs staff in and out, coming back to the console.</summary>
    public const string AppServiceSignIn = "/.auth/login/aad?post_login_redirect_uri=/console/";
    public const string AppServiceSignOut = "/.auth/logout?post_logout_redirect_uri=/console/";

    /// <summary>The console's own sign-in page, where it is offered.</summary>
    public const string LocalSignInPage = "/console/sign-in";

    /// <summary><c>GET /api/me</c>: the caller's principal as every staff route reads it, or how to sign in. Anonymous.</summary>
    [Function(nameof(GetStaffSession))]
    public IActionResult GetStaffSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me")] HttpRequest req)
    {
        var auth = StaffAuthorization.Require(req, Role.All);
        return new OkObjectResult(SessionOf(auth.Principal));
    }

    /// <summary>
    /// <c>POST /api/me/local-sign-in</c> <c>{role, name}</c>: the principal header for that role and name. A plain 404 wherever
    /// the host does not trust the header, so in Azure it does not exist.
    /// </summary>
    [Function(nameof(StartLocalSession))]
    public async Task<IActionResult> StartLocalSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/me/local-sign-in")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        if (!options.Value.LocalSignIn)
        {
            return ApiProblem.NotFound("There is no route here; see docs/api.md for the routes.");
        }

        var (body, problem) = await JsonBody.ReadAsync(req, LocalSignInSchema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var id = $"local-{body!.Role.ToLowerInvariant()}-{string.Concat(body.Name.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant()}";
        var header = ClientPrincipal.Encode(id, [body.Role], extraClaims: [new(ClientPrincipal.NameClaimType, body.Name)]);
        ClientPrincipal.TryParse(header, null, out var principal, out _);
        return new OkObjectResult(new LocalSignInResponse(header, SessionOf(principal)));
    }

    internal static readonly BodySchema<LocalSignInRequest> LocalSignInSchema = new(
        ["role", "name"],
        f => new(
            f.Text("role", required: true, 32, r => Role.All.Contains(r, StringComparer.Ordinal), $"must be one of: {string.Join(", ", Role.All)}.") ?? string.Empty,
            f.Text("name", required: true, 100) ?? string.Empty));

    private StaffSession SessionOf(ClientPrincipal? principal)
    {
        var local = options.Value.LocalSignIn;
        return new StaffSession(
            principal is not null,
            principal?.Id,
            principal?.DisplayName,
            principal is null ? [] : Role.All.Where(principal.Roles.Contains).ToList(),
            local ? LocalSignInPage : AppServiceSignIn,
            local ? LocalSignInPage : AppServiceSignOut,
            local);
    }
}
