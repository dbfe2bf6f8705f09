using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Compliance.Identity;
using Compliance.SelfHost;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using CsCheck;

namespace Compliance.Tests.Http;

/// <summary>
/// Property: no input gives a 5xx. Random requests (CsCheck) to every HTTP route of the app, API and portal: route values
/// from a pool of hostile segments and random text, bodies of random bytes, broken and hostile JSON (lone surrogates,
/// duplicate keys, deep nesting), forms, and any content type, with no principal, a staff principal or a broken one. Run
/// against a host on an Azurite of its own, so what the requests change touches no other test.
/// </summary>
public sealed partial class RouteFuzzTests(RouteFuzzTests.FuzzHost fuzz) : IClassFixture<RouteFuzzTests.FuzzHost>
{
    /// <summary>How many random requests a run sends (CsCheck prints the seed of a failing one, to replay it).</summary>
    public const int Iterations = 2000;

    private static readonly string[] Segments =
    [
        TestEnvironment.StudyId, "DSR-20240101-AAAAAAAA", "MPATI%0A", "%00", "..", "%2e%2e%2f", "%ED%A0%80", "%FF%FE", "a%20b",
        new string('A', 300), "%3Cscript%3E", "approve", "refuse", "extend", "clarify", "resume", "note", "reissue-code",
        "T-AAAAAAAA", "H-AAAAAAAA", "P-AAAAAAAA", "S-AAAAAAAA", "A-AAAAAAAA", "C-AAAAAAAA", "portal.css", "%E2%80%AE",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "[]", "null", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "{\"studyId\":\"MPATI\",\"studyId\":\"X\"}", new string('[', 5000),
        "{\"studyId\":\"MPATI\",\"type\":\"access\",\"email\":\"fuzz@example.org\"}", "{\"code\":\"\\ud800\"}", "{\"code\":123456}",
        "{\"reason\":null,\"exemption\":{}}", "type=access&email=a%40b.org&formToken=x", "type=access&type=withdraw", "%%%", "a=%ZZ",
        "{\"publishedOn\":\"2024-02-30\"}", "{\"title\":\"x\",\"endOfDataCollection\":\"9999-99-99\",\"policyFile\":\"../../etc/passwd\"}",
        "From: a@b\r\nSubject: x\r\n\r\nbody", "\u0000\u0001\u0002",
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "application/json", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "text/plain",
        "message/rfc822", "multipart/form-data; boundary=x", "audio/wav", "application/octet-stream", "application/json; charset=nope",
    ];

    private static readonly string?[] Principals =
    [
        null, ClientPrincipal.Encode("fuzz-dpo", [Role.Dpo]), ClientPrincipal.Encode("fuzz-admin", [Role.Admin]),
        ClientPrincipal.Encode("fuzz-researcher", [Role.Researcher]), "not base64!", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"claims\":[{\"typ\":\"roles\",\"val\":\"\\ud800\"}]}")),
    ];

    [Fact]
    public async Task No_request_to_any_route_answers_with_a_server_error()
    {
        var routes = fuzz.Host.Catalog.OfKind(FunctionKind.Http).SelectMany(f => f.HttpMethods!.Select(m => (Method: m, Path: HttpFunctionEndpoints.PathOf(f)))).ToArray();
        routes.Length.ShouldBeGreaterThan(30);
        var segment = Gen.OneOf<string>(Gen.OneOf(Segments), Gen.String[Gen.Char['!', '~'], 1, 40].Select(Uri.EscapeDataString));
        var body = Gen.OneOf<byte[]>(Gen.OneOf(Bodies).Select(b => Encoding.UTF8.GetBytes(b)), Gen.Byte.Array[0, 512]);
        var request = Gen.Select(Gen.OneOf(routes), segment.Array[6], body, Gen.OneOf(ContentTypes), Gen.OneOf(Principals), (route, values, bytes, type, principal) => (Route: route, Values: values, Bytes: bytes, ContentType: type, Principal: principal));
        using var http = TestEnvironment.ClientFor(fuzz.Host.BaseAddress);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await request.SampleAsync(
            async r =>
            {
                var (route, values, bytes, contentType, principal) = r;
                var index = 0;
                var path = RouteParameter().Replace(route.Path, _ => values[index++ % values.Length]);
                using var message = new HttpRequestMessage(new HttpMethod(route.Method), path);
                if (route.Method is not ("GET" or "DELETE"))
                {
                    message.Content = new ByteArrayContent(bytes);
                    if (contentType is not null)
                    {
                        message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    }
                }

                if (principal is not null)
                {
                    message.Headers.TryAddWithoutValidation(ClientPrincipal.HeaderName, principal);
                }

                using var response = await http.SendAsync(message, TestContext.Current.CancellationToken);
                seen.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                ((int)response.StatusCode).ShouldBeLessThan(500, $"{route.Method} {path} ({contentType ?? "no content type"}, {bytes.Length} bytes, principal {(principal is null ? "none" : "given")})");
            },
            iter: Iterations,
            threads: 4);

        // The requests reached the routes' own checks, not only the router: bodies refused, callers refused, some accepted.
        seen.Keys.ShouldContain(400);
        seen.Keys.ShouldContain(401);
        seen.Keys.ShouldContain(403);
        seen.Keys.ShouldContain(k => k >= 200 && k < 300);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    /// <summary>A host on an Azurite of its own with the MPATI study, trusting the principal header, rate limits off.</summary>
    public sealed class FuzzHost(TestEnvironment env) : IAsyncLifetime
    {
        private OwnStorage? storage;
        private SelfHostApplication? host;

        public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync()
        {
            storage = await OwnStorage.StartAsync(TestContext.Current.CancellationToken);
            await storage.CopyStudyAsync(env);
            host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString });
        }

        public async ValueTask DisposeAsync()
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            if (storage is not null)
            {
                await storage.DisposeAsync();
            }
        }
    }
}
