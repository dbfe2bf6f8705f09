namespace Compliance.Console.Identity;

/// <summary>
/// Sends the local principal header (<c>X-MS-CLIENT-PRINCIPAL</c>) with every API call, where the console signed in locally.
/// In Azure there is none to send: App Service Authentication sets the header itself, from its session cookie.
/// </summary>
public sealed class PrincipalHeaderHandler(SessionState session) : DelegatingHandler(new HttpClientHandler())
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (session.PrincipalHeader is { Length: > 0 } header)
        {
            request.Headers.Remove(HeaderName);
            request.Headers.Add(HeaderName, header);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
