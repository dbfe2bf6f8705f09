using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Compliance.Keys;
using Compliance.Portal.Layout;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Portal;

/// <summary>
/// Anti-forgery for the portal's forms, without server state: a page with a form sets a random value in a strict same-site,
/// HTTP-only cookie and puts an HMAC of it, under a service key, in the form. A post counts only with both, matching, and
/// when the browser says it came from this site (<c>Origin</c>, <c>Sec-Fetch-Site</c>). Another site can neither read the
/// cookie nor make the HMAC.
/// </summary>
public sealed class FormGuard(ServiceKeys keys, IOptions<SiteOptions> site)
{
    /// <summary>The cookie that holds the form's random value.</summary>
    public const string CookieName = "portal-form";

    /// <summary>The key purpose the form tokens are made with.</summary>
    public const string Purpose = "form-token";

    /// <summary>The token for the page's form, setting the cookie when the browser has none (or a malformed one).</summary>
    public async Task<string> IssueAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nonce = request.Cookies[CookieName];
        if (!IsNonce(nonce))
        {
            nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            request.HttpContext.Response.Cookies.Append(CookieName, nonce, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = site.Value.PublicBaseUrl?.Scheme == Uri.UriSchemeHttps,
                Path = "/",
                IsEssential = true,
            });
        }

        return await TokenForAsync(nonce!, cancellationToken);
    }

    /// <summary>Whether a post of <paramref name="form"/> came from one of our pages in this browser.</summary>
    public async Task<bool> AcceptsAsync(HttpRequest request, PortalForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(form);
        if (!IsSameSite(request))
        {
            return false;
        }

        var nonce = request.Cookies[CookieName];
        var token = form[FormToken.FieldName];
        if (!IsNonce(nonce) || token is null || token.Length > 64)
        {
            return false;
        }

        var expected = await TokenForAsync(nonce!, cancellationToken);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token));
    }

    /// <summary>
    /// The browser's own word on where the post came from: <c>Sec-Fetch-Site</c> must not be another site, and an
    /// <c>Origin</c> must be ours (the configured public address; unconfigured, the address the request was made to), or
    /// <c>null</c> with <c>Sec-Fetch-Site: same-origin</c>.
    /// </summary>
    private bool IsSameSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site")
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        if (origin == "null")
        {
            // Under Referrer-Policy: no-referrer a browser sends "Origin: null" even to its own site; Sec-Fetch-Site still says.
            return fetchSite == "same-origin";
        }

        var ours = site.Value.Origin ?? $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(origin, ours, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> TokenForAsync(string nonce, CancellationToken cancellationToken) =>
        Base64Url.EncodeToString(await keys.MacAsync(Purpose, nonce, cancellationToken));

    private static bool IsNonce(string? value) => value is { Length: 43 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
