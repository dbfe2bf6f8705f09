using System.Text;
using System.Text.Json;

namespace Compliance.Identity;

/// <summary>
/// A signed-in staff member as App Service Authentication describes them in the <c>X-MS-CLIENT-PRINCIPAL</c> header:
/// base64 of a JSON document with <c>claims</c> (<c>typ</c>, <c>val</c>) whose role claims carry the app roles.
/// </summary>
/// <param name="Id">
/// A stable pseudonymous id: the Entra object id (or <c>sub</c>), else <c>X-MS-CLIENT-PRINCIPAL-ID</c>; never the name claim, which
/// is often an email address. The only identity recorded in audit entries.
/// </param>
/// <param name="IdentityProvider">The <c>auth_typ</c>, e.g. <c>aad</c>.</param>
/// <param name="Roles">The app roles the principal holds.</param>
/// <param name="Claims">Every claim, for features that need more (a transcriber's supplier, for example).</param>
public sealed record ClientPrincipal(
    string Id,
    string IdentityProvider,
    IReadOnlySet<string> Roles,
    IReadOnlyList<KeyValuePair<string, string>> Claims)
{
    /// <summary>The header App Service Authentication sets on every authenticated request.</summary>
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The header App Service Authentication sets with the principal's id.</summary>
    public const string IdHeaderName = "X-MS-CLIENT-PRINCIPAL-ID";

    /// <summary>The name claim type App Service Authentication declares in <c>name_typ</c>.</summary>
    public const string NameClaimType = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";

    private const string DefaultRoleClaimType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    private static readonly string[] IdClaimTypes =
    [
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "oid",
        "sub",
    ];

    /// <summary>Whether the principal holds at least one of <paramref name="roles"/>.</summary>
    public bool IsInAnyRole(IEnumerable<string> roles) => roles.Any(Roles.Contains);

    /// <summary>The name to show for the principal (its name claim, else its user name), or its id when it names neither.</summary>
    public string DisplayName =>
        FindClaim(NameClaimType) ?? FindClaim("name") ?? FindClaim("preferred_username") ?? Id;

    /// <summary>The first value of a claim, or null.</summary>
    public string? FindClaim(string type) =>
        Claims.FirstOrDefault(c => string.Equals(c.Key, type, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// Parses the header value. Returns false, with a reason that holds no header content, when it is not base64,
    /// not JSON of the expected shape, or names no id.
    /// </summary>
    public static bool TryParse(string? headerValue, string? idHeaderValue, out ClientPrincipal? principal, out string? error)
    {
        principal = null;
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            error = "no client principal was sent";
            return false;
        }

        byte[] json;
        try
        {
            json = Convert.FromBase64String(headerValue.Trim());
        }
        catch (FormatException)
        {
            error = "the client principal is not base64";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the client principal is not a JSON object";
                return false;
            }

            // Two copies of a field (two "claims" arrays, say) or text that is not text: which copy counts would be the
            // parser's choice, so the principal is refused.
            if (StrictJson.FindFault(root) is not null)
            {
                error = "the client principal is not valid JSON (a repeated field or invalid text)";
                return false;
            }

            // Role claims are of the type role_typ names; without one, the default role claim type or Entra's "roles".
            string[] roleTypes = StringProperty(root, "role_typ") is { } declared ? [declared] : [DefaultRoleClaimType, "roles"];
            var claims = new List<KeyValuePair<string, string>>();
            if (root.TryGetProperty("claims", out var claimArray))
            {
                if (claimArray.ValueKind != JsonValueKind.Array)
                {
                    error = "the client principal's claims are not an array";
                    return false;
                }

                foreach (var claim in claimArray.EnumerateArray())
                {
                    var typ = claim.ValueKind == JsonValueKind.Object ? StringProperty(claim, "typ") : null;
                    var val = claim.ValueKind == JsonValueKind.Object ? StringProperty(claim, "val") : null;
                    if (typ is null || val is null)
                    {
                        error = "a claim of the client principal has no typ or val";
                        return false;
                    }

                    claims.Add(new(typ, val));
                }
            }

            var roles = claims
                .Where(c => roleTypes.Contains(c.Key, StringComparer.Ordinal))
                .Select(c => c.Value)
                .ToHashSet(StringComparer.Ordinal);

            var id = IdClaimTypes.Select(t => claims.FirstOrDefault(c => c.Key == t).Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))
                ?? (string.IsNullOrWhiteSpace(idHeaderValue) ? null : idHeaderValue.Trim());
            if (string.IsNullOrWhiteSpace(id))
            {
                error = "the client principal names no id";
                return false;
            }

            principal = new ClientPrincipal(id, StringProperty(root, "auth_typ") ?? "unknown", roles, claims);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "the client principal is not valid JSON";
            return false;
        }
    }

    /// <summary>Encodes a principal the way App Service Authentication does; for local use and tests.</summary>
    public static string Encode(string id, IEnumerable<string> roles, string identityProvider = "aad", IEnumerable<KeyValuePair<string, string>>? extraClaims = null)
    {
        var claims = new List<object>
        {
            new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = id },
        };
        claims.AddRange(roles.Select(r => (object)new { typ = "roles", val = r }));
        if (extraClaims is not null)
        {
            claims.AddRange(extraClaims.Select(c => (object)new { typ = c.Key, val = c.Value }));
        }

        var json = JsonSerializer.Serialize(new
        {
            auth_typ = identityProvider,
            name_typ = NameClaimType,
            role_typ = "roles",
            claims,
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
