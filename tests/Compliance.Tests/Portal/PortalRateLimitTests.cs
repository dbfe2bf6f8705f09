using System.Net;
using Compliance.RateLimits;
using Compliance.Requests;
using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Tests.Portal;

/// <summary>
/// The portal's form posts are limited as the JSON intake is, with the deployment's default rules: 50 posts in a minute
/// from one address end in a 429 page with <c>Retry-After</c>, and the per-email limit answers the same page.
/// </summary>
public sealed class PortalRateLimitTests(PortalRateLimitTests.DefaultLimitsHost limited) : IClassFixture<PortalRateLimitTests.DefaultLimitsHost>
{
    private static string Form => $"/studies/{TestEnvironment.StudyId}/request";

    /// <summary>An address no other test uses: a caller-written entry, then the proxy's (the last, which counts), in a /64 of its own.</summary>
    private static string NewAddress() => $"203.0.113.7, 2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}::1";

    [Fact]
    public async Task Fifty_posts_in_a_minute_from_one_address_are_refused_after_the_limit_with_Retry_After()
    {
        using var portal = new PortalClient(limited.Host.BaseAddress);
        var address = NewAddress();
        var limit = limited.Host.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value.Submissions.Limit;

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        string? refusedPage = null;
        for (var i = 0; i < 50; i++)
        {
            var (response, html) = await portal.SubmitAsync(Form, Form, [new("type", RequestType.Query), new("email", $"rate.{Guid.NewGuid():N}@example.org")], r => r.Headers.Add("X-Forwarded-For", address));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                (refused, refusedPage) = (response, html);
            }
        }

        statuses.Take(limit).ShouldAllBe(s => s == HttpStatusCode.SeeOther);
        statuses.Skip(limit).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        refused!.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        refusedPage!.ShouldContain("Too many attempts");
        refusedPage!.ShouldContain("Nothing was sent");
    }

    [Fact]
    public async Task The_per_email_limit_answers_the_same_page_for_a_participants_address_and_an_unknown_one()
    {
        using var portal = new PortalClient(limited.Host.BaseAddress);
        var perEmail = limited.Host.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value.SubmissionsPerEmail.Limit;
        var held = $"held.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(TestEnvironment.ClientFor(limited.Host.BaseAddress), TestEnvironment.StudyId, held);
        var pages = new List<string>();

        foreach (var email in new[] { held, $"unknown.{Guid.NewGuid():N}@example.org" })
        {
            for (var i = 0; i <= perEmail; i++)
            {
                var (response, html) = await portal.SubmitAsync(Form, Form, [new("type", RequestType.Query), new("email", email)], r => r.Headers.Add("X-Forwarded-For", NewAddress()));
                response.StatusCode.ShouldBe(i < perEmail ? HttpStatusCode.SeeOther : HttpStatusCode.TooManyRequests, $"post {i + 1} for one address");
                if (i == perEmail)
                {
                    pages.Add(html);
                }
            }
        }

        pages.Distinct().Count().ShouldBe(1);
    }

    /// <summary>A host with the deployment's default limits, the client address taken from <c>X-Forwarded-For</c>.</summary>
    public sealed class DefaultLimitsHost(TestEnvironment shared) : IAsyncLifetime
    {
        private SelfHostApplication? host;

        public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

        public async ValueTask InitializeAsync() =>
            host = await shared.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?>
            {
                ["Http:ClientAddressHeader"] = "X-Forwarded-For",
                ["RateLimits:Enabled"] = "true",
            });

        public async ValueTask DisposeAsync()
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
