using System.Text.RegularExpressions;
using Compliance.Functions.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Compliance.SelfHost.Mailbox;

/// <summary>A run of an email's text: plain, or a link to <see cref="Href"/>.</summary>
public readonly record struct TextRun(string Text, string? Href);

/// <summary>
/// Which links in an email the mailbox makes clickable: only those to this service, at its configured public address
/// (<c>Http:PublicBaseUrl</c>) or at an address this host listens on. A link anywhere else stays text, so the mailbox never
/// becomes a way to send a developer to a site an email (or a participant's text quoted in one) names.
/// </summary>
public sealed partial class MailboxLinks(IServer server, IOptions<SiteOptions> http)
{
    private readonly Lazy<IReadOnlyList<Uri>> bases = new(() => BasesOf(server, http.Value));

    /// <summary>The addresses links may point under.</summary>
    public IReadOnlyList<Uri> Bases => bases.Value;

    /// <summary>Whether <paramref name="url"/> is an absolute http(s) address under one of <see cref="Bases"/>.</summary>
    public bool IsAllowed(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && Bases.Any(b => IsUnder(uri, b));

    /// <summary>Splits <paramref name="text"/> into runs, with the allowed addresses in it as links.</summary>
    public IReadOnlyList<TextRun> Linkify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var runs = new List<TextRun>();
        var at = 0;
        foreach (Match match in Url().Matches(text))
        {
            // Punctuation that ends a sentence is not part of the address before it.
            var url = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '\'', '"');
            if (!IsAllowed(url))
            {
                continue;
            }

            if (match.Index > at)
            {
                runs.Add(new TextRun(text[at..match.Index], null));
            }

            runs.Add(new TextRun(url, url));
            at = match.Index + url.Length;
        }

        if (at < text.Length)
        {
            runs.Add(new TextRun(text[at..], null));
        }

        return runs;
    }

    /// <summary>Same scheme, host and port, and a path at or below the base's (so <c>/api</c> does not admit <c>/apiary</c>).</summary>
    public static bool IsUnder(Uri url, Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(baseUri);
        if (url.Scheme is not ("http" or "https") ||
            !string.Equals(url.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(url.IdnHost, baseUri.IdnHost, StringComparison.OrdinalIgnoreCase) ||
            url.Port != baseUri.Port ||
            !string.IsNullOrEmpty(url.UserInfo))
        {
            return false;
        }

        var basePath = baseUri.AbsolutePath.EndsWith('/') ? baseUri.AbsolutePath : baseUri.AbsolutePath + "/";
        var path = url.AbsolutePath.EndsWith('/') ? url.AbsolutePath : url.AbsolutePath + "/";
        return path.StartsWith(basePath, StringComparison.Ordinal);
    }

    private static List<Uri> BasesOf(IServer server, SiteOptions http)
    {
        var result = new List<Uri>();
        if (http.PublicBaseUrl is { IsAbsoluteUri: true } publicBase)
        {
            result.Add(publicBase);
        }

        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            // Kestrel reports a wildcard binding as it was given ("http://+:7071", "http://[::]:7071"); a browser reaches it as localhost.
            var reachable = WildcardHost().Replace(address, "${scheme}localhost");
            if (Uri.TryCreate(reachable, UriKind.Absolute, out var uri))
            {
                result.Add(uri);
            }
        }

        return result;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"^(?<scheme>https?://)(\+|\*|0\.0\.0\.0|\[::\])(?=[:/]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex WildcardHost();
}
