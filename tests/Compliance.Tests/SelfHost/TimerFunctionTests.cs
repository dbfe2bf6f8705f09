using Compliance.Functions.Maintenance;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.SelfHost;

/// <summary>Timer functions run on the CRON expression their setting names, with time from the injected clock.</summary>
public sealed class TimerFunctionTests(TestEnvironment env)
{
    [Fact]
    public void A_schedule_setting_is_resolved_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PurgeHistorySchedule"] = "0 30 2 * * *" }).Build();

        var cron = TimerFunctionScheduler.ParseSchedule("%PurgeHistorySchedule%", configuration);

        cron.GetNextOccurrence(new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc)).ShouldBe(new DateTime(2026, 11, 26, 2, 30, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("every day at two", "not a valid CRON expression")]
    public void A_missing_or_invalid_schedule_names_its_setting(string? value, string reason)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PurgeHistorySchedule"] = value }).Build();

        var error = Should.Throw<InvalidOperationException>(() => TimerFunctionScheduler.ParseSchedule("%PurgeHistorySchedule%", configuration));

        error.Message.ShouldContain("PurgeHistorySchedule");
        error.Message.ShouldContain(reason);
    }

    [Fact]
    public async Task The_history_purge_runs_on_its_schedule_and_purges_finished_instances_past_their_studys_time()
    {
        // Arrange: a host whose clock the test moves, with the purge daily at 02:30 and 30 days' keeping.
        // Its log says when a run has finished, so the test can wait for the run rather than sleep.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new LogCapture();
        var purgeLog = typeof(HistoryPurge).FullName!;
        await using var host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?>
            {
                [HistoryPurge.ScheduleSetting] = "0 30 2 * * *",
                ["HistoryPurge:PurgeAfterDays"] = "30",
                [FunctionSwitches.SettingFor(nameof(HistoryPurge.PurgeFinishedInstances))] = "false",
                ["Logging:LogLevel:" + purgeLog] = "Information",
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                logs.AddTo(services);
            });
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        using var response = await http.SendAsync(Staff.PostJson("/api/requests", $$"""{"studyId":"MPATI","type":"query","email":"t.{{Guid.NewGuid():N}}@example.org"}"""), TestContext.Current.CancellationToken);
        var requestId = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("requestId").GetString()!;
        await new RequestApi(http, env.Tables, env.Blobs, durable).CompleteTaskAsync(requestId, Compliance.Tasks.TaskKind.DpoReview, Compliance.Tasks.TaskOutcome.Resolved);
        await Eventually.GetAsync(() => durable.GetInstanceAsync(requestId, TestContext.Current.CancellationToken), i => i is { IsCompleted: true }, because: "the request to complete");

        // Act 1: a day on, the purge runs (and says so when it has finished) but the instance is not yet 30 days old.
        var runsBefore = logs.Of(purgeLog).Count(IsPurgeRun);
        clock.Advance(TimeSpan.FromDays(1));
        await Eventually.GetAsync(() => Task.FromResult(logs.Of(purgeLog).Count(IsPurgeRun)), n => n > runsBefore, because: "the purge to run a day on");
        (await durable.GetInstanceAsync(requestId, TestContext.Current.CancellationToken)).ShouldNotBeNull();

        // Act 2: 31 days on, past the MPATI policy's history.purgeCompletedAfter (30 days), the next run purges it.
        clock.Advance(TimeSpan.FromDays(30));

        // Assert
        await Eventually.GetAsync(() => durable.GetInstanceAsync(requestId, TestContext.Current.CancellationToken), i => i is null, because: "the finished instance to be purged");
    }

    /// <summary>The line a purge run logs when it has been through every finished instance.</summary>
    private static bool IsPurgeRun(LogCapture.LogLine line) => line.Message.StartsWith("Purged ", StringComparison.Ordinal);
}
