using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// Keeps <see cref="OperationsSnapshot"/> fresh: every few seconds it checks whether anything collects the gauges, and if so
/// and the reading is older than <see cref="TelemetryOptions.MetricsRefreshInterval"/>, takes a new one. With no exporter
/// (the default in the self-host and the tests) it never reads storage.
/// </summary>
public sealed class OperationsSnapshotRefresher(
    OperationsSnapshot snapshot,
    ComplianceMetrics metrics,
    IOptions<TelemetryOptions> options,
    TimeProvider time,
    ILogger<OperationsSnapshotRefresher> logger) : BackgroundService
{
    /// <summary>How often it looks whether the gauges are collected.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.MetricsRefreshInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (metrics.GaugesObserved && time.GetUtcNow() - snapshot.Current.TakenAt >= interval)
            {
                try
                {
                    await snapshot.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The gauges keep the last reading; the next check tries again.
                    logger.LogWarning(ex, "The metrics' reading of storage could not be refreshed; the gauges keep the last one");
                }
            }

            try
            {
                await Task.Delay(CheckEvery, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
