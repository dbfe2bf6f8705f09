using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Functions.Health;
using Compliance.Functions.Mail.Graph;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Reliability;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Health;

/// <summary>
/// <c>GET /api/health</c> and <c>GET /api/health/details</c>, and each check on real storage and the real engine: a check is
/// shown to change state when what it watches does (a failed email, a subscription near its end, a contract near its lapse,
/// storage gone), not only to answer.
/// </summary>
public sealed class HealthTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_answers_up_to_anyone_and_the_details_only_to_an_admin_with_every_check_named()
    {
        using var health = await env.Http.GetAsync("/api/health", Ct);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"up"}""");

        using var anonymous = await env.Http.GetAsync("/api/health/details", Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var dpo = await env.Http.SendAsync(Staff.Get("/api/health/details", Role.Dpo), Ct);
        dpo.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var report = await DetailsAsync(env.Http);
        report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ShouldBe(HealthChecks.Names);
        Check(report, "storage").State.ShouldBe(HealthState.Ok);
        Check(report, "engine").Reason.ShouldContain("workflows waiting to start");
        Check(report, "graph-subscription").State.ShouldBe(HealthState.Off, "the shared host has no Graph connector");
        report.GetProperty("status").GetString().ShouldBeOneOf(HealthState.Ok, HealthState.Warning, HealthState.Failed);
    }

    [Fact]
    public async Task With_storage_refusing_every_call_health_answers_down_the_storage_and_engine_checks_fail_and_other_routes_answer_503()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        (await DetailsAsync(http)).GetProperty("status").GetString().ShouldNotBe(HealthState.Failed, "storage answers before the faults");

        using (proxy.Inject(Enum.GetValues<StorageService>().Select(s => new FaultRule { Service = s, Action = FaultAction.ServerBusy })))
        {
            using var health = await http.GetAsync("/api/health", Ct);
            health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await health.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"down"}""");

            var report = await DetailsAsync(http);
            report.GetProperty("status").GetString().ShouldBe(HealthState.Failed);
            Check(report, "storage").State.ShouldBe(HealthState.Failed);
            Check(report, "engine").State.ShouldBe(HealthState.Failed);
            Check(report, "storage").Reason.ShouldNotContain("127.0.0.1", customMessage: "a reason names the error, not where");

            // Any other route that needs storage answers 503 to try again, not a bare 500.
            using var list = await http.SendAsync(Staff.Get("/api/tasks", Role.Dpo), Ct);
            list.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            list.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            list.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(Compliance.Functions.Http.ApiProblem.UnavailableRetryAfterSeconds));
            (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("type").GetString().ShouldBe("urn:compliance:problem:unavailable");
        }
    }

    [Fact]
    public async Task The_outbox_check_counts_a_failed_email_and_warns()
    {
        var checks = ChecksAt(TimeProvider.System.GetUtcNow());
        var before = Count(await OutboxAsync(checks), "failed");

        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).GetBlobClient($"health-tests/{Guid.NewGuid():N}.eml");
        await blob.UploadAsync(BinaryData.FromString("Subject: test\r\n\r\nbody"), new BlobUploadOptions { Metadata = new Dictionary<string, string> { [OutboxMetadata.State] = OutboxMetadata.Failed } }, Ct);
        try
        {
            var after = await OutboxAsync(checks);
            Count(after, "failed").ShouldBeGreaterThanOrEqualTo(before + 1, after.Reason);
            after.State.ShouldBe(HealthState.Warning);
        }
        finally
        {
            await blob.DeleteIfExistsAsync(cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task The_outbox_check_warns_when_an_email_has_waited_too_long()
    {
        var blob = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).GetBlobClient($"health-tests/{Guid.NewGuid():N}.eml");
        await blob.UploadAsync(BinaryData.FromString("Subject: test\r\n\r\nbody"), new BlobUploadOptions { Metadata = new Dictionary<string, string> { [OutboxMetadata.State] = OutboxMetadata.Pending } }, Ct);
        try
        {
            // An hour on, the email just written has waited longer than the check allows.
            var later = await OutboxAsync(ChecksAt(TimeProvider.System.GetUtcNow() + TimeSpan.FromHours(1)));
            later.State.ShouldBe(HealthState.Warning, later.Reason);
            later.Reason.ShouldMatch(@"the oldest for (6\d|[7-9]\d|\d{3,}) min");
        }
        finally
        {
            await blob.DeleteIfExistsAsync(cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task The_graph_subscription_check_is_ok_well_before_expiry_warns_near_it_and_fails_after_it_or_without_one()
    {
        var mailbox = $"health.{Guid.NewGuid():N}@research.example.org";
        await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?>
        {
            ["Graph:TenantId"] = Guid.NewGuid().ToString(),
            ["Graph:ClientId"] = Guid.NewGuid().ToString(),
            ["Graph:ClientSecret"] = "not-used-no-call-is-made",
            ["Graph:Mailbox"] = mailbox,
            ["Graph:ClientState"] = "health-test-client-state",
            ["Graph:NotificationUrl"] = "http://127.0.0.1/api/mail/graph/notifications",
        });
        var now = TimeProvider.System.GetUtcNow();
        var checks = ActivatorUtilities.CreateInstance<HealthChecks>(host.Services, (TimeProvider)new FakeTimeProvider(now));
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var state = host.Services.GetRequiredService<GraphConnectorState>();

        (await GraphAsync(checks, durable)).State.ShouldBe(HealthState.Failed, "no subscription yet");
        foreach (var (expiresIn, expected) in new[] { (TimeSpan.FromDays(3), HealthState.Ok), (TimeSpan.FromHours(6), HealthState.Warning), (-TimeSpan.FromHours(1), HealthState.Failed) })
        {
            await state.SaveSubscriptionAsync(new StoredGraphSubscription("sub-health", now + expiresIn, "http://127.0.0.1/", "me/mailFolders('inbox')/messages", "hash"), Ct);
            var check = await GraphAsync(checks, durable);
            check.State.ShouldBe(expected, $"expiring in {expiresIn}: {check.Reason}");
            check.Reason.ShouldContain("sub-health");
        }
    }

    [Fact]
    public async Task The_supplier_check_names_a_contract_that_lapses_within_30_days()
    {
        // MPATI's contracts run 12 months: one signed 11 months and 20 days ago lapses in about 10 days.
        var supplierId = "HLT" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var signed = UkTime.DateOf(TimeProvider.System.GetUtcNow()).AddMonths(-12).AddDays(10);
        await StudyApi.PutSupplierAsync(env.Http, supplierId, "Health Test Transcriptions", "office@transcribers.example.com", signed.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        var report = await ChecksAt(TimeProvider.System.GetUtcNow()).RunAsync(env.Host.Services.GetRequiredService<DurableTaskClient>(), Ct);
        var check = report.Checks.Single(c => c.Name == "supplier-contracts");
        check.State.ShouldBe(HealthState.Warning);
        check.Reason.ShouldContain($"{supplierId} on {signed.AddMonths(12):yyyy-MM-dd}");

        // Forty days on, it has lapsed, and the check says so.
        var later = await ChecksAt(TimeProvider.System.GetUtcNow() + TimeSpan.FromDays(40)).RunAsync(env.Host.Services.GetRequiredService<DurableTaskClient>(), Ct);
        later.Checks.Single(c => c.Name == "supplier-contracts").Reason.ShouldMatch($@"lapsed, access suspended \([^)]*{supplierId}");
    }

    [Fact]
    public async Task The_sweep_check_says_when_the_sweep_timer_next_runs_and_warns_when_it_is_not_scheduled()
    {
        var checks = ChecksAt(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var sweeps = await SweepsAsync(checks, env.Host.Services.GetRequiredService<DurableTaskClient>());
        sweeps.Reason.ShouldStartWith("next run 2026-12-08T03:00:00.0000000+00:00", customMessage: "the shared host's sweep runs daily at 03:00");

        await using var host = await env.StartHostAsync(trustPrincipalHeader: true, new Dictionary<string, string?> { ["RetentionSweepSchedule"] = string.Empty });
        var unscheduled = await SweepsAsync(ActivatorUtilities.CreateInstance<HealthChecks>(host.Services), host.Services.GetRequiredService<DurableTaskClient>());
        unscheduled.State.ShouldBe(HealthState.Warning);
        unscheduled.Reason.ShouldStartWith("next run not scheduled");
    }

    private HealthChecks ChecksAt(DateTimeOffset now) =>
        ActivatorUtilities.CreateInstance<HealthChecks>(env.Host.Services, (TimeProvider)new FakeTimeProvider(now));

    private async Task<HealthCheck> OutboxAsync(HealthChecks checks) =>
        (await checks.RunAsync(env.Host.Services.GetRequiredService<DurableTaskClient>(), Ct)).Checks.Single(c => c.Name == "outbox");

    private static async Task<HealthCheck> GraphAsync(HealthChecks checks, DurableTaskClient durable) =>
        (await checks.RunAsync(durable, Ct)).Checks.Single(c => c.Name == "graph-subscription");

    private static async Task<HealthCheck> SweepsAsync(HealthChecks checks, DurableTaskClient durable) =>
        (await checks.RunAsync(durable, Ct)).Checks.Single(c => c.Name == "retention-sweeps");

    /// <summary>The number before <paramref name="word"/> in a check's reason (<c>3 failed</c>).</summary>
    private static int Count(HealthCheck check, string word) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(check.Reason, $@"(\d+) {word}").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement> DetailsAsync(HttpClient http)
    {
        using var response = await http.SendAsync(Staff.Get("/api/health/details", Role.Admin), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static (string State, string Reason) Check(JsonElement report, string name)
    {
        var check = report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        return (check.GetProperty("state").GetString()!, check.GetProperty("reason").GetString()!);
    }
}
