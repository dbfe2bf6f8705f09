using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Compliance.Functions.Mail;
using Compliance.Functions.Telemetry;
using Compliance.Requests;
using Compliance.Telemetry;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Telemetry;

/// <summary>
/// The meter <c>Compliance</c> (docs/operations.md#traces-and-metrics), read as an exporter would with a
/// <see cref="MeterListener"/> on one host's meter: its instruments by the names alert rules use, the gauges from a reading
/// of storage after requests were made, and the intake counter after an email.
/// </summary>
public sealed class MetricsTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_gauges_report_a_studys_open_and_overdue_requests_and_unsent_emails_and_intake_counts_its_decisions()
    {
        // Arrange: a study of its own with a query still open and an erasure received long ago, whose due date has passed.
        var api = new RequestApi(env);
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var open = await api.SubmitAsync(new { studyId, type = RequestType.Query, email = $"m.{Guid.NewGuid():N}@example.org" });
        var overdue = await api.SubmitConfirmedAsync(studyId, RequestType.Query, $"m.{Guid.NewGuid():N}@example.org", receivedAt: "2024-01-08T10:00:00Z");
        await api.WaitForAsync(overdue, r => r.DueDate is not null, "the overdue request's clock");
        await api.EmailAsync(open, "acknowledgement");
        await api.EmailAsync(overdue, "acknowledgement");
        var mailHost = await env.MailHostAsync();
        var (requestsMeter, mailMeter) = (env.Host.Services.GetRequiredService<ComplianceMetrics>().Meter, mailHost.Services.GetRequiredService<ComplianceMetrics>().Meter);
        var listening = DateTimeOffset.UtcNow;
        using var listener = new Listener(requestsMeter, mailMeter);

        // Act: a reading of storage, collected as an exporter does; and an automatic reply through email intake.
        await env.Host.Services.GetRequiredService<OperationsSnapshot>().RefreshAsync(Ct);
        listener.Collect();
        using var mail = TestEnvironment.ClientFor(mailHost.BaseAddress);
        var raw = MailIntakeTests.Compose($"away.{Guid.NewGuid():N}@example.org", "Automatic reply: out of the office", "I am away until Monday.");
        using var posted = await mail.SendAsync(MailIntakeTests.Post(raw, key: TestEnvironment.RelayKey), Ct);
        posted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var intakeKey = (await posted.Content.ReadFromJsonAsync<InboundMailResponse>(Ct))!.IntakeKey;
        (await Eventually.GetAsync(() => mailHost.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(intakeKey, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the intake to finish"))!
            .ReadOutputAs<MailIntakeResult>()!.Action.ShouldBe(MailIntakeAction.Ignore);

        // Assert: every instrument alert rules read, by name, on each host's meter...
        listener.Published.Keys.ShouldBe(
            [
                ComplianceMetrics.RequestsOpen, ComplianceMetrics.RequestsOverdue, ComplianceMetrics.RequestsDaysToDeadline, ComplianceMetrics.OutboxPending,
                ComplianceMetrics.OutboxFailed, ComplianceMetrics.IntakeOutcomes, ComplianceMetrics.SweepDeleted, ComplianceMetrics.SweepLeft,
                ComplianceMetrics.SweepFailed, ComplianceMetrics.SweepWaiting, ComplianceMetrics.SuppliersLapsing, ComplianceMetrics.GraphSubscriptionExpiresInHours,
            ],
            ignoreOrder: true);
        listener.Published.Values.ShouldAllBe(meters => meters == 2);

        // ...the study's gauges, tagged with its id only...
        listener.Of(requestsMeter, ComplianceMetrics.RequestsOpen, studyId).ShouldBe([2L]);
        listener.Of(requestsMeter, ComplianceMetrics.RequestsOverdue, studyId).ShouldBe([1L]);
        listener.Of(requestsMeter, ComplianceMetrics.RequestsDaysToDeadline, studyId).Single().ShouldBeLessThan(0);
        listener.Of(requestsMeter, ComplianceMetrics.OutboxPending, studyId).Single().ShouldBeGreaterThanOrEqualTo(2);
        listener.Of(requestsMeter, ComplianceMetrics.OutboxFailed, studyId).ShouldBe([0L]);
        listener.Tags.Where(t => t.Instrument != ComplianceMetrics.IntakeOutcomes).SelectMany(t => t.Keys).Distinct().ShouldBe([TelemetryTags.StudyId]);

        // ...the message's intake, counted by what was decided...
        listener.Counted(mailMeter, ComplianceMetrics.IntakeOutcomes, MailIntakeAction.Ignore).ShouldBeGreaterThanOrEqualTo(1);

        // ...and a host whose gauges someone collects takes its own readings (the mail host's, which this test never asked for).
        var mailSnapshot = mailHost.Services.GetRequiredService<OperationsSnapshot>();
        await Eventually.GetAsync(() => Task.FromResult(mailSnapshot.Current.TakenAt), at => at >= listening, TimeSpan.FromSeconds(20), "the mail host's refresher to take a reading");
    }

    /// <summary>Listens to the given meters only (other hosts run in this process too) and keeps what they measure.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly ConcurrentQueue<(Meter Meter, string Instrument, long Value, IReadOnlyDictionary<string, object?> Tags)> measured = new();

        public Listener(params Meter[] meters)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (meters.Contains(instrument.Meter))
                {
                    Published.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1);
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
            listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, (long)value, tags));
            listener.Start();
        }

        /// <summary>Each instrument's name, and on how many of the meters it was found.</summary>
        public ConcurrentDictionary<string, int> Published { get; } = new();

        public IEnumerable<(string Instrument, IEnumerable<string> Keys)> Tags => measured.Select(m => (m.Instrument, m.Tags.Keys.AsEnumerable()));

        /// <summary>Runs the gauges' callbacks, as an exporter's collection does.</summary>
        public void Collect() => listener.RecordObservableInstruments();

        public List<long> Of(Meter meter, string instrument, string studyId) =>
            measured.Where(m => m.Meter == meter && m.Instrument == instrument && m.Tags.GetValueOrDefault(TelemetryTags.StudyId) as string == studyId).Select(m => m.Value).ToList();

        public long Counted(Meter meter, string instrument, string action) =>
            measured.Where(m => m.Meter == meter && m.Instrument == instrument && m.Tags.GetValueOrDefault(ComplianceMetrics.ActionTag) as string == action).Sum(m => m.Value);

        public void Dispose() => listener.Dispose();

        private void Keep(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            measured.Enqueue((instrument.Meter, instrument.Name, value, copy));
        }
    }
}
