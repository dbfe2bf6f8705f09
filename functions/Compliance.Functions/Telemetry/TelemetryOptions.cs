using System.ComponentModel.DataAnnotations;

namespace Compliance.Functions.Telemetry;

/// <summary>Settings of traces and metrics shared by both hosts (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>How old the gauges' reading of storage may get before a new one is taken (while something collects them).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}
