namespace Compliance.Identity;

/// <summary>
/// The answer to <c>GET /api/me</c>: who the caller is to the API (from the same principal every staff route reads), and how
/// to sign in or out. <paramref name="LocalSignIn"/> is true only where the self-host trusts the principal header
/// (development and tests): there the console's own sign-in page picks a role; in Azure, <paramref name="SignInUrl"/> is
/// App Service Authentication's.
/// </summary>
public sealed record StaffSession(bool SignedIn, string? Id, string? Name, IReadOnlyList<string> Roles, string SignInUrl, string SignOutUrl, bool LocalSignIn);

/// <summary>The body of <c>POST /api/me/local-sign-in</c>: the role and the display name to act as, locally.</summary>
public sealed record LocalSignInRequest(string Role, string Name);

/// <summary>
/// The answer to <c>POST /api/me/local-sign-in</c>: the value of <c>X-MS-CLIENT-PRINCIPAL</c> the console sends from then on,
/// as App Service Authentication would set it.
/// </summary>
public sealed record LocalSignInResponse(string Principal, StaffSession Session);
