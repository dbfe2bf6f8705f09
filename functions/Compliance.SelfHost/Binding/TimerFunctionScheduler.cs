using System.Diagnostics;
using Compliance.Telemetry;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Binding;

/// <summary>
/// Runs every timer function on its schedule: the NCRONTAB expression (six fields, seconds first, UTC) or the
/// <c>%Setting%</c> it names, resolved from the same configuration the Functions host reads. A timer switched off with
/// <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> is not scheduled (<see cref="FunctionSwitches"/>). Each timer is a
/// singleton among the nodes of one host id, as in the Functions host (<see cref="TimerLocks"/>).
/// </summary>
public sealed class TimerFunctionScheduler(
    FunctionCatalog catalog,
    TimerLocks locks,
    IConfiguration configuration,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<TimerFunctionScheduler> logger) : BackgroundService
{
    /// <summary>Resolves <c>%Name%</c> to the setting's value and parses it (<see cref="Compliance.Functions.Maintenance.TimerSchedules.Parse"/>).</summary>
    public static CronExpression ParseSchedule(string schedule, IConfiguration configuration) =>
        Compliance.Functions.Maintenance.TimerSchedules.Parse(schedule, configuration);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Parse every schedule first, so a bad one stops the host at start-up rather than later.
        var timers = new List<(FunctionDescriptor Function, CronExpression Cron)>();
        foreach (var function in catalog.OfKind(FunctionKind.Timer))
        {
            if (FunctionSwitches.IsDisabled(function, configuration))
            {
                logger.LogInformation("Timer function {FunctionName} is disabled ({Setting})", function.Name, FunctionSwitches.SettingFor(function.Name));
                continue;
            }

            timers.Add((function, ParseSchedule(function.Schedule!, configuration)));
        }

        return Task.WhenAll(timers.Select(t => RunAsync(t.Function, t.Cron, stoppingToken)));
    }

    /// <summary>
    /// One timer: take its lock (wait while another node holds it), run its schedule while holding it, and try again if the
    /// lock is lost. As in the Functions host, a node that takes a timer over runs once at once if an occurrence was missed
    /// meanwhile (the timer is past due), and the first node to hold a <c>RunOnStartup</c> timer runs it when it takes it.
    /// Unlike the Functions host, which keeps no status for schedules more frequent than a minute, the status is always kept.
    /// </summary>
    private async Task RunAsync(FunctionDescriptor function, CronExpression cron, CancellationToken stoppingToken)
    {
        var runOnStartup = function.RunOnStartup;
        while (!stoppingToken.IsCancellationRequested)
        {
            HeldTimerLock held;
            try
            {
                held = await locks.AcquireAsync(function.Name, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await using (held)
            {
                logger.LogInformation("Timer function {FunctionName}: this node holds its lock and runs its schedule", function.Name);
                using var holding = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held.Lost);
                try
                {
                    await ScheduleAsync(function, cron, held, runOnStartup, holding.Token);
                }
                catch (OperationCanceledException) when (holding.IsCancellationRequested)
                {
                }
                catch (LockLapsedException)
                {
                    logger.LogWarning("Timer function {FunctionName}: its lock was not renewed in time; this node takes it again before running it", function.Name);
                }
                catch (Exception ex)
                {
                    // The status could not be read or written (storage down): let the lock go and take it again later.
                    logger.LogError(ex, "Timer function {FunctionName}: its schedule stopped; taking it up again", function.Name);
                }
            }

            runOnStartup = false;
        }
    }

    private async Task ScheduleAsync(FunctionDescriptor function, CronExpression cron, HeldTimerLock held, bool runOnStartup, CancellationToken cancellationToken)
    {
        var status = await locks.GetStatusAsync(function.Name, cancellationToken);
        if (status is not null)
        {
            status = status with { Last = AsUtc(status.Last), Next = AsUtc(status.Next) };
        }

        if (runOnStartup)
        {
            status = await InvokeAsync(function, cron, held, time.GetUtcNow(), status, pastDue: false, cancellationToken);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (status is not null && status.Next <= now.UtcDateTime && status.Next > status.Last)
            {
                // Missed: while no node held the timer (this one has just taken it over), or while this node was still busy
                // with the run before. Once now, for the latest missed occurrence, as the Functions host does at start-up.
                status = await InvokeAsync(function, cron, held, LatestAtOrBefore(cron, status.Next, now), status, pastDue: true, cancellationToken);
                continue;
            }

            var from = status is not null && status.Last > now.UtcDateTime ? new DateTimeOffset(status.Last, TimeSpan.Zero) : now;
            var next = cron.GetNextOccurrence(from, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            await Task.Delay(next.Value - now, time, cancellationToken);
            status = await InvokeAsync(function, cron, held, next.Value, status, pastDue: false, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the occurrence unless the status shows it run already (by another node before this one took over), then records
    /// it. The status is written after the run, as the Functions host does: a node that dies during a run leaves the
    /// occurrence to be run again by the next holder (at least once; the timer functions are idempotent per day).
    /// </summary>
    private async Task<TimerScheduleStatus?> InvokeAsync(FunctionDescriptor function, CronExpression cron, HeldTimerLock held, DateTimeOffset occurrence, TimerScheduleStatus? known, bool pastDue, CancellationToken cancellationToken)
    {
        var status = await locks.GetStatusAsync(function.Name, cancellationToken) ?? known;
        if (status is not null)
        {
            status = status with { Last = AsUtc(status.Last), Next = AsUtc(status.Next) };
        }

        if (status is not null && status.Last >= occurrence.UtcDateTime)
        {
            logger.LogInformation("Timer function {FunctionName}: the occurrence {Occurrence:o} was run already; skipped", function.Name, occurrence);
            return status;
        }

        if (!held.IsHeld)
        {
            // Renewals failed for most of a period: another node may hold it by now.
            throw new LockLapsedException();
        }

        var now = time.GetUtcNow();
        var next = cron.GetNextOccurrence(now, TimeZoneInfo.Utc)?.UtcDateTime ?? DateTime.MaxValue;
        var info = new TimerInfo
        {
            IsPastDue = pastDue,
            ScheduleStatus = new ScheduleStatus
            {
                Last = (status?.Last ?? now.UtcDateTime),
                Next = next,
                LastUpdated = status?.LastUpdated ?? now.UtcDateTime,
            },
        };

        logger.LogInformation("Timer function {FunctionName} running for {Occurrence:o}{PastDue}", function.Name, occurrence, pastDue ? " (past due)" : string.Empty);
        // The invocation's span starts the trace of what the timer does (the Functions host makes this span in Azure).
        using (var span = ComplianceTelemetry.Source.StartActivity(function.Name, ActivityKind.Server))
        {
            span?.SetTag("faas.trigger", "timer");
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await FunctionInvoker.InvokeAsync(function, new FunctionInvoker.Bindings(scope.ServiceProvider, cancellationToken, TriggerValue: info));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // As in the Functions host, a failed run is logged and the schedule goes on.
                logger.LogError(ex, "Timer function {FunctionName} failed", function.Name);
                span?.SetTag("error.type", ex.GetType().FullName);
                span?.SetStatus(ActivityStatusCode.Error);
            }
        }

        var written = new TimerScheduleStatus(occurrence.UtcDateTime, cron.GetNextOccurrence(occurrence, TimeZoneInfo.Utc)?.UtcDateTime ?? DateTime.MaxValue, time.GetUtcNow().UtcDateTime);
        await locks.SetStatusAsync(function.Name, written, CancellationToken.None);
        logger.LogInformation("Timer function {FunctionName} ran for {Occurrence:o}", function.Name, occurrence);
        return written;
    }

    private static DateTime AsUtc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value, DateTimeKind.Utc);

    private sealed class LockLapsedException : Exception
    {
    }

    /// <summary>The latest occurrence from <paramref name="first"/> up to <paramref name="now"/> (<paramref name="first"/> is one).</summary>
    private static DateTimeOffset LatestAtOrBefore(CronExpression cron, DateTime first, DateTimeOffset now)
    {
        var latest = new DateTimeOffset(first, TimeSpan.Zero);
        while (cron.GetNextOccurrence(latest, TimeZoneInfo.Utc) is { } next && next <= now)
        {
            latest = next;
        }

        return latest;
    }
}
