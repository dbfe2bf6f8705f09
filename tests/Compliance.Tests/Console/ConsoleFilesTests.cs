using System.IO.Compression;
using System.Net;
using System.Text;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Console;

/// <summary>
/// <c>GET /console/…</c> serves the published console's files and nothing else: precompressed when the browser takes it,
/// the index page for the app's own addresses, under the console's Content-Security-Policy; 404 for anything outside the set.
/// Run on a console folder of known files, so each answer can be checked byte for byte.
/// </summary>
public sealed class ConsoleFilesTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_published_files_are_served_with_their_types_compression_and_policy_and_nothing_else_is()
    {
        var root = Directory.CreateTempSubdirectory("console-");
        try
        {
            const string index = "<!DOCTYPE html><title>console</title>";
            File.WriteAllText(Path.Combine(root.FullName, "index.html"), index);
            File.WriteAllBytes(Path.Combine(root.FullName, "index.html.br"), Brotli(index));
            Directory.CreateDirectory(Path.Combine(root.FullName, "_framework"));
            File.WriteAllText(Path.Combine(root.FullName, "_framework", "app.js"), "console.log(1)");
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(root.FullName)!, $"{root.Name}-secret.txt"), "outside");
            await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["Console:ContentRoot"] = root.FullName });
            using var http = TestEnvironment.ClientFor(host.BaseAddress);

            using var page = await http.GetAsync("/console/", Ct);
            using var screen = await http.GetAsync("/console/requests/DSR-20261201-ABCDEFGH", Ct);
            using var script = await http.GetAsync("/console/_framework/app.js", Ct);
            using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
            using var bare = await noRedirects.GetAsync("/console", Ct);
            using var compressed = new HttpRequestMessage(HttpMethod.Get, "/console/");
            compressed.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
            using var brotli = await http.SendAsync(compressed, Ct);

            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await page.Content.ReadAsStringAsync(Ct)).ShouldBe(index);
            page.Content.Headers.ContentType!.ToString().ShouldBe("text/html; charset=utf-8");
            var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
            policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal))
                .ShouldBe("script-src 'self' 'wasm-unsafe-eval'", "no inline script, and WebAssembly compiled only from the app's own files");
            policy.ShouldContain("frame-ancestors 'none'");
            (await screen.Content.ReadAsStringAsync(Ct)).ShouldBe(index, "the app's own addresses load the app");
            script.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
            bare.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            bare.Headers.Location!.ToString().ShouldBe("/console/");
            brotli.Content.Headers.ContentEncoding.ShouldBe(["br"]);
            brotli.Headers.Vary.ShouldContain("Accept-Encoding");
            (await brotli.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(Brotli(index));

            foreach (var path in new[]
            {
                "/console/_framework/missing.js", "/console/index.htm", "/console/%2e%2e/" + root.Name + "-secret.txt",
                "/console/_framework/..%2f..%2f" + root.Name + "-secret.txt", "/console/index.html.bak",
            })
            {
                using var outside = await http.GetAsync(path, Ct);
                outside.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
                outside.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
            }
        }
        finally
        {
            root.Delete(recursive: true);
            File.Delete(Path.Combine(Path.GetDirectoryName(root.FullName)!, $"{root.Name}-secret.txt"));
        }
    }

    [Fact]
    public async Task A_host_without_a_published_console_says_how_to_build_it()
    {
        await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["Console:ContentRoot"] = Path.Combine(Path.GetTempPath(), $"no-console-{Guid.NewGuid():N}") });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);

        using var response = await http.GetAsync("/console/", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("scripts/build-console.sh");
    }

    private static byte[] Brotli(string text)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest))
        {
            brotli.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
