using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Compliance.Identity;
using Compliance.RateLimits;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Http;

/// <summary>
/// The rate limits of the anonymous routes, through hosts of their own with low limits (the shared host runs without
/// them). Client addresses are simulated through <c>X-Forwarded-For</c>, which these hosts are configured to read; each test
/// uses addresses and emails of its own, since every host on the run's Azurite shares the counts, as instances do.
/// </summary>
public sealed class RateLimitTests(TestEnvironment env, RateLimitTests.LimitedHost limited) : IClassFixture<RateLimitTests.LimitedHost>
{
    private const int SubmissionLimit = 3;
    private const int EmailLimit = 2;
    private const int CodeLimit = 3;
    private const string UnknownRequest = "DSR-20260101-00000000";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_submission_after_the_limit_from_one_address_is_refused_with_429_Retry_After_and_a_problem_even_for_a_new_email()
    {
        // The one test on an IPv4 address (from 198.18.0.0/15): the others take an IPv6 network each, which cannot collide.
        var address = $"198.{RandomNumberGenerator.GetInt32(18, 20)}.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(1, 255)}";
        for (var i = 0; i < SubmissionLimit; i++)
        {
            using var allowed = await SubmitAsync(limited.Http, address, NewEmail());
            allowed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var refused = await SubmitAsync(limited.Http, address, NewEmail());

        await ShouldBeRateLimitedAsync(refused, TimeSpan.FromMinutes(10));
        using var elsewhere = await SubmitAsync(limited.Http, NewAddress(), NewEmail());
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.Accepted, "another address has a count of its own");
    }

    [Fact]
    public async Task Entries_a_caller_writes_before_the_proxys_are_not_what_is_counted()
    {
        var address = NewAddress();
        for (var i = 0; i < SubmissionLimit; i++)
        {
            using var allowed = await SubmitAsync(limited.Http, $"{NewAddress()}, [{address}]:5{i}123", NewEmail());
            allowed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var refused = await SubmitAsync(limited.Http, $"{NewAddress()},{address}", NewEmail());

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the last entry, with or without a port, is the address counted");
    }

    [Fact]
    public async Task The_email_limit_holds_whatever_address_the_submissions_come_from()
    {
        var email = NewEmail();
        for (var i = 0; i < EmailLimit; i++)
        {
            using var allowed = await SubmitAsync(limited.Http, NewAddress(), email);
            allowed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var refused = await SubmitAsync(limited.Http, NewAddress(), email.ToUpperInvariant());

        await ShouldBeRateLimitedAsync(refused, TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task The_answer_to_the_email_limit_is_the_same_for_an_address_held_for_a_participant_and_an_unknown_one()
    {
        var held = NewEmail();
        await StudyApi.RegisterParticipantAsync(env.Http, TestEnvironment.StudyId, held);
        var unknown = NewEmail();

        var answers = new List<(HttpStatusCode Status, string? ContentType, bool RetryAfter, string Body)>();
        foreach (var email in new[] { held, unknown })
        {
            for (var i = 0; i < EmailLimit; i++)
            {
                using var allowed = await SubmitAsync(limited.Http, NewAddress(), email);
                allowed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            }

            using var refused = await SubmitAsync(limited.Http, NewAddress(), email);
            answers.Add((refused.StatusCode, refused.Content.Headers.ContentType?.ToString(), refused.Headers.RetryAfter?.Delta is not null, await refused.Content.ReadAsStringAsync(Ct)));
        }

        answers[0].Status.ShouldBe(HttpStatusCode.TooManyRequests);
        answers[1].ShouldBe(answers[0]);
    }

    [Fact]
    public async Task Code_attempts_are_limited_per_address_and_an_IPv6_address_counts_by_its_64_prefix()
    {
        var prefix = NewIPv6Prefix();
        string[] sameNetwork = [$"[{prefix}::1]:443", $"{prefix}::2", $"{prefix}:aa:bb:cc:dd"];
        foreach (var address in sameNetwork)
        {
            using var wrong = await VerifyAsync(limited.Http, address);
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            await RouteAuthorizationTests.ShouldBeProblemAsync(wrong, "invalid-code");
        }

        using var refused = await VerifyAsync(limited.Http, $"{prefix}::3");

        await ShouldBeRateLimitedAsync(refused, TimeSpan.FromMinutes(10));
        using var otherNetwork = await VerifyAsync(limited.Http, $"{NewIPv6Prefix()}::3");
        otherNetwork.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Staff_submissions_are_not_limited_and_do_not_count()
    {
        var address = NewAddress();
        for (var i = 0; i < SubmissionLimit + 2; i++)
        {
            var body = JsonSerializer.Serialize(new { studyId = TestEnvironment.StudyId, type = "query", email = NewEmail(), channel = "letter" });
            using var request = From(address, Staff.PostJson("/api/requests", body, Role.Dpo));
            using var staff = await limited.Http.SendAsync(request, Ct);
            staff.StatusCode.ShouldBe(HttpStatusCode.Accepted, await staff.Content.ReadAsStringAsync(Ct));
        }

        using var participant = await SubmitAsync(limited.Http, address, NewEmail());

        participant.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task The_count_starts_again_once_the_window_has_passed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await env.StartHostAsync(trustPrincipalHeader: false, LimitedHost.Settings(), services => services.AddSingleton<TimeProvider>(clock));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var address = NewAddress();
        for (var i = 0; i < CodeLimit; i++)
        {
            using var wrong = await VerifyAsync(http, address);
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        clock.Advance(TimeSpan.FromMinutes(9));
        using var refused = await VerifyAsync(http, address);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta!.Value.ShouldBe(TimeSpan.FromMinutes(1), "the window ends ten minutes after its first attempt");

        clock.Advance(TimeSpan.FromMinutes(1));
        using var again = await VerifyAsync(http, address);

        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a new window has begun");
    }

    [Fact]
    public async Task Two_hosts_on_the_same_storage_share_one_count()
    {
        await using var second = await env.StartHostAsync(trustPrincipalHeader: false, LimitedHost.Settings());
        using var secondHttp = TestEnvironment.ClientFor(second.BaseAddress);
        var address = NewAddress();

        using (var first = await VerifyAsync(limited.Http, address))
        using (var then = await VerifyAsync(secondHttp, address))
        using (var third = await VerifyAsync(limited.Http, address))
        {
            new[] { first.StatusCode, then.StatusCode, third.StatusCode }.ShouldAllBe(s => s == HttpStatusCode.BadRequest);
        }

        using var refused = await VerifyAsync(secondHttp, address);

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the second host counts the first host's attempts too");
    }

    [Fact]
    public async Task A_table_that_cannot_be_reached_lets_requests_through_with_a_warning_and_never_a_500()
    {
        var logs = new LogCapture();
        await using var host = await env.StartHostAsync(trustPrincipalHeader: false, LimitedHost.Settings(), services =>
        {
            logs.AddTo(services);
            services.AddSingleton(sp => new RateLimiter(
                UnreachableTables(),
                sp.GetRequiredService<RateLimitKeyHasher>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<RateLimitOptions>>(),
                sp.GetRequiredService<ILogger<RateLimiter>>()));
        });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var address = NewAddress();
        var email = NewEmail();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SubmissionLimit + 1; i++)
        {
            using var response = await SubmitAsync(http, address, email);
            statuses.Add(response.StatusCode);
        }

        statuses.ShouldAllBe(s => s == HttpStatusCode.Accepted, "the limiter fails open when its table is unreachable");
        var warning = await logs.WaitForAsync(typeof(RateLimiter).FullName!, l => l.Level == LogLevel.Warning, "the limiter to warn that it let a request through");
        warning.Message.ShouldContain("could not be checked");
        warning.Message.ShouldNotContain(email, Case.Insensitive);
    }

    [Fact]
    public async Task Rows_hold_a_keyed_hash_not_the_address_and_ended_windows_are_purged()
    {
        var address = NewAddress();
        var email = NewEmail();
        using (var allowed = await SubmitAsync(limited.Http, address, email))
        {
            allowed.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        var table = env.Tables.GetTableClient(StorageLayout.Tables.RateLimits);
        var hasher = limited.Host.Services.GetRequiredService<RateLimitKeyHasher>();
        var byEmail = $"submissions-per-email-{await hasher.HashAsync(RateLimitKeys.ForEmail(email), Ct)}";
        var row = (await table.GetEntityAsync<TableEntity>(byEmail, RateLimiter.WindowRowKey, cancellationToken: Ct)).Value;
        row.GetInt32("Count").ShouldBe(1);
        var stored = JsonSerializer.Serialize(row);
        stored.ShouldNotContain(email, Case.Insensitive);
        stored.ShouldNotContain(address);

        // A row whose window ended a minute ago, as a key not seen again leaves behind. The purge runs on the real clock, so
        // it cannot reach the live windows of the other tests that share this table.
        var ended = new TableEntity($"submissions-{new string('0', 64)}{Guid.NewGuid():N}", RateLimiter.WindowRowKey)
        {
            ["WindowStart"] = DateTimeOffset.UtcNow.AddMinutes(-11),
            ["Count"] = 1,
            ["WindowEnd"] = DateTimeOffset.UtcNow.AddMinutes(-1),
        };
        await table.AddEntityAsync(ended, Ct);

        (await limited.Host.Services.GetRequiredService<RateLimiter>().PurgeEndedAsync(Ct)).ShouldBeGreaterThanOrEqualTo(1);

        (await table.GetEntityIfExistsAsync<TableEntity>(ended.PartitionKey, ended.RowKey, cancellationToken: Ct)).HasValue.ShouldBeFalse("its window has ended");
        (await table.GetEntityIfExistsAsync<TableEntity>(byEmail, RateLimiter.WindowRowKey, cancellationToken: Ct)).HasValue.ShouldBeTrue("its window goes on");
    }

    /// <summary>The host these tests share: low limits, and the client address taken from <c>X-Forwarded-For</c>.</summary>
    public sealed class LimitedHost(TestEnvironment shared) : IAsyncLifetime
    {
        private SelfHostApplication? host;

        public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

        public HttpClient Http { get; private set; } = null!;

        public static Dictionary<string, string?> Settings() => new()
        {
            ["Http:ClientAddressHeader"] = "X-Forwarded-For",
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:Submissions:Limit"] = $"{SubmissionLimit}",
            ["RateLimits:Submissions:Window"] = "00:10:00",
            ["RateLimits:SubmissionsPerEmail:Limit"] = $"{EmailLimit}",
            ["RateLimits:SubmissionsPerEmail:Window"] = "01:00:00",
            ["RateLimits:CodeAttempts:Limit"] = $"{CodeLimit}",
            ["RateLimits:CodeAttempts:Window"] = "00:10:00",
        };

        public async ValueTask InitializeAsync()
        {
            host = await shared.StartHostAsync(trustPrincipalHeader: true, Settings());
            Http = TestEnvironment.ClientFor(host.BaseAddress);
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task ShouldBeRateLimitedAsync(HttpResponseMessage response, TimeSpan window)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync(Ct));
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "rate-limited");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        retryAfter.ShouldNotBeNull("a 429 says when to try again, in seconds");
        retryAfter.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        retryAfter.Value.ShouldBeLessThanOrEqualTo(window);
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient http, string forwardedFor, string email) =>
        http.SendAsync(From(forwardedFor, Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId = TestEnvironment.StudyId, type = "query", email, details = "What do you hold?" }))), Ct);

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient http, string forwardedFor) =>
        http.SendAsync(From(forwardedFor, Staff.PostJson($"/api/requests/{UnknownRequest}/verify", """{"code":"123456"}""")), Ct);

    private static HttpRequestMessage From(string forwardedFor, HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return request;
    }

    /// <summary>An address on an IPv6 network of its own (a /64 from 2001:db8::/32), so no two tests share a count.</summary>
    private static string NewAddress() => $"{NewIPv6Prefix()}::1";

    private static string NewIPv6Prefix()
    {
        var id = Guid.NewGuid().ToString("N");
        return $"2001:db8:{id[..4]}:{id[4..8]}";
    }

    private static string NewEmail() => $"r.{Guid.NewGuid():N}@example.org";

    /// <summary>A table endpoint nothing listens on, tried once: every call fails as a storage outage would.</summary>
    private static TableServiceClient UnreachableTables()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        return new TableServiceClient(new Uri("http://127.0.0.1:1/devstoreaccount1"), new AzureSasCredential("sv=2019-02-02&sig=none"), options);
    }
}
