namespace Compliance;

/// <summary>
/// Where the service is reached (configuration section <c>Http</c>, key <c>PublicBaseUrl</c>): every absolute link it gives
/// out (in pages, <c>Location</c>, <c>statusUrl</c> and emails) is made from it, never from the request's <c>Host</c> header,
/// which the caller chooses. The self-host defaults it to the address it listens on.
/// </summary>
public sealed class SiteOptions
{
    public const string SectionName = "Http";

    /// <summary>The service's public address, e.g. <c>https://compliance.example.org</c>; unset, links are relative.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>A link to <paramref name="path"/> (which starts with <c>/</c>): absolute on <see cref="PublicBaseUrl"/>, else relative.</summary>
    public string LinkTo(string path) => PublicBaseUrl is { IsAbsoluteUri: true } baseUrl ? new Uri(baseUrl, path).ToString() : path;

    /// <summary>The origin (<c>scheme://host[:port]</c>) of <see cref="PublicBaseUrl"/>, or null when it is unset.</summary>
    public string? Origin => PublicBaseUrl is { IsAbsoluteUri: true } baseUrl ? baseUrl.GetLeftPart(UriPartial.Authority) : null;
}
