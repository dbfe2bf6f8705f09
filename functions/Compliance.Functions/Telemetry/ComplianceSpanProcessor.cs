using System.Diagnostics;
using Compliance.Telemetry;
using OpenTelemetry;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// Runs on every span before any exporter sees it. At the start it gives the span the ids of the span it was started under;
/// at the end it adds the ids its Durable instance id (or an event's target instance) names, and takes out what could carry personal data or a secret: the
/// query of every URL (Azure SDK spans record <c>url.full</c>; a query could hold a table filter on an address or a SAS), the
/// path of an incoming request (a status link's path holds its token; <c>http.route</c> stays), a client's IP address, and
/// every status description (exception messages: the error's type stays in <c>error.type</c>).
/// </summary>
public sealed class ComplianceSpanProcessor : BaseProcessor<Activity>
{
    /// <summary>URL attributes whose query (and fragment) is cut off.</summary>
    private static readonly string[] UrlTags = ["url.full", "http.url", "http.target"];

    /// <summary>Attributes taken out of every span.</summary>
    private static readonly string[] RemovedTags = ["url.query", "client.address", "client.port", "network.peer.address", "network.peer.port", "http.client_ip"];

    public override void OnStart(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        TelemetryTags.Inherit(data);
    }

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        TelemetryTags.TagWorkflow(data, data.GetTagItem(TelemetryTags.DurableInstanceId) as string);
        TelemetryTags.TagWorkflow(data, data.GetTagItem(TelemetryTags.DurableEventTargetInstanceId) as string);
        Scrub(data);
    }

    /// <summary>Removes from <paramref name="span"/> what could carry personal data or a secret (see the class).</summary>
    public static void Scrub(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        foreach (var key in UrlTags)
        {
            if (span.GetTagItem(key) is string url && url.IndexOfAny(['?', '#']) is var cut and >= 0)
            {
                span.SetTag(key, url[..cut]);
            }
        }

        foreach (var key in RemovedTags)
        {
            if (span.GetTagItem(key) is not null)
            {
                span.SetTag(key, null);
            }
        }

        if (span.GetTagItem("http.route") is not null && span.GetTagItem("url.path") is not null)
        {
            span.SetTag("url.path", null);
        }

        if (span.StatusDescription is not null)
        {
            span.SetStatus(span.Status, null);
        }
    }
}
