using System.Net;
using System.Text.RegularExpressions;

namespace Compliance.Tests.Portal;

/// <summary>
/// The portal as a browser without JavaScript uses it, over plain HTTP: pages are fetched, their form token read, and forms
/// posted with the cookie the page set. Redirects are not followed, so tests see each <c>303</c>.
/// </summary>
public sealed partial class PortalClient : IDisposable
{
    private readonly CookieContainer cookies = new();
    private readonly HttpClient http;

    public PortalClient(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<(HttpResponseMessage Response, string Html)> GetAsync(string path)
    {
        var response = await http.GetAsync(path, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Opens <paramref name="formPath"/> and posts <paramref name="fields"/> to <paramref name="postPath"/> with the page's token.</summary>
    public async Task<(HttpResponseMessage Response, string Html)> SubmitAsync(string formPath, string postPath, IEnumerable<KeyValuePair<string, string>> fields, Action<HttpRequestMessage>? tamper = null)
    {
        var (_, page) = await GetAsync(formPath);
        var token = TokenIn(page);
        return await PostAsync(postPath, fields.Append(new("formToken", token)), tamper);
    }

    public async Task<(HttpResponseMessage Response, string Html)> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, Action<HttpRequestMessage>? tamper = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        tamper?.Invoke(request);
        var response = await http.SendAsync(request, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The form token in a page.</summary>
    public static string TokenIn(string html) => TokenPattern().Match(html) is { Success: true } m ? m.Groups["token"].Value : throw new InvalidOperationException("The page has no form token.");

    /// <summary>The private status link in an acknowledgement's text.</summary>
    public static string StatusPathIn(string text) => StatusPattern().Match(text) is { Success: true } m ? m.Groups["path"].Value : throw new InvalidOperationException("No status link in: " + text);

    public void Dispose() => http.Dispose();

    [GeneratedRegex("name=\"formToken\" value=\"(?<token>[A-Za-z0-9_-]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"https?://[^\s/]+(?<path>/status/DSR-[A-Z0-9-]+/[A-Za-z0-9_-]{43})")]
    private static partial Regex StatusPattern();
}
