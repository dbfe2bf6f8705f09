using System.Diagnostics;
using Compliance.Functions.Telemetry;
using Compliance.Telemetry;

namespace Compliance.Tests.Telemetry;

/// <summary>
/// What <see cref="ComplianceSpanProcessor"/> does to every span before export, on spans made here (pure: no host): the ids a
/// Durable instance id names, inherited by the spans below; and no query, request path, client address or error message.
/// </summary>
public sealed class SpanProcessorTests
{
    [Fact]
    public void Spans_get_the_ids_their_workflow_names_and_lose_queries_paths_addresses_and_error_messages()
    {
        // Arrange: a Durable activity span of a sweep, a storage call under it that failed, and an HTTP server span.
        var processor = new ComplianceSpanProcessor();
        using var activity = new Activity("activity:DeleteBatch").SetTag(TelemetryTags.DurableInstanceId, "retention-MPATI").Start();
        using var storage = new Activity("BlobClient.Delete").Start();
        storage.SetTag("url.full", "https://account.blob.core.windows.net/recordings/MPATI/S1/A1.wav?sv=2025-01-05&sig=secret#part")
            .SetTag("client.address", "203.0.113.7")
            .SetStatus(ActivityStatusCode.Error, "The blob of alex.morgan@example.org was not found");
        using var server = new Activity("GET /status/{id}/{token}").SetTag("http.route", "/status/{id}/{token}").SetTag("url.path", "/status/DSR-20261207-NW7X0VYC/s3cr3t").SetTag("url.query", "?email=alex.morgan@example.org");

        // Act
        processor.OnStart(storage);
        processor.OnEnd(storage);
        processor.OnEnd(activity);
        processor.OnEnd(server);

        // Assert: the ids...
        activity.GetTagItem(TelemetryTags.StudyId).ShouldBe("MPATI");
        storage.GetTagItem(TelemetryTags.StudyId).ShouldBe("MPATI", "a span started under the activity's");
        TelemetryTags.TagWorkflow(server, "DSR-20261207-NW7X0VYC");
        server.GetTagItem(TelemetryTags.RequestId).ShouldBe("DSR-20261207-NW7X0VYC");

        // ...and nothing that could carry personal data or a secret, the error itself kept.
        storage.GetTagItem("url.full").ShouldBe("https://account.blob.core.windows.net/recordings/MPATI/S1/A1.wav");
        storage.GetTagItem("client.address").ShouldBeNull();
        storage.Status.ShouldBe(ActivityStatusCode.Error);
        storage.StatusDescription.ShouldBeNull();
        server.GetTagItem("url.path").ShouldBeNull();
        server.GetTagItem("url.query").ShouldBeNull();
        server.GetTagItem("http.route").ShouldBe("/status/{id}/{token}");
    }
}
