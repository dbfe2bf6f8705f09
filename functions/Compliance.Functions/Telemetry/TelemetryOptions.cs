namespace Compliance.Functions.Telemetry;

/// <summary>Settings of traces and metrics shared by both hosts (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";
}
