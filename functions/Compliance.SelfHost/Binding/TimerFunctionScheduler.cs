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
/// <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> is not scheduled (<see cref="FunctionSwitches"/>).
/// </summary>
public sealed class TimerFunctionScheduler(
    FunctionCatalog catalog,
    IConfiguration configuration,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<TimerFunctionScheduler> logger) : BackgroundService
{
    /// <summary>Resolves <c>%Name%</c> to the setting's value and parses it; throws naming the setting when it is missing or invalid.</summary>
    public static CronExpression ParseSchedule(string schedule, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(configuration);
        var expression = schedule;
        if (schedule.Length > 2 && schedule.StartsWith('%') && schedule.EndsWith('%'))
        {
            var setting = schedule[1..^1];
            expression = configuration[setting];
            if (string.IsNullOrWhiteSpace(expression))
            {
                throw new InvalidOperationException($"The timer schedule setting '{setting}' is not set.");
            }
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw new InvalidOperationException($"The timer schedule '{schedule}' ('{expression}') is not a valid CRON expression: {ex.Message}", ex);
        }
    }

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

    private async Task RunAsync(FunctionDescriptor function, CronExpression cron, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        if (function.RunOnStartup)
        {
            await InvokeAsync(function, cron, last, stoppingToken);
            last = time.GetUtcNow();
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = cron.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                await Task.Delay(next.Value - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await InvokeAsync(function, cron, last, stoppingToken);
            last = next;
        }
    }

    private async Task InvokeAsync(FunctionDescriptor function, CronExpression cron, DateTimeOffset? last, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var info = new TimerInfo
        {
            IsPastDue = false,
            ScheduleStatus = new ScheduleStatus
            {
                Last = (last ?? now).UtcDateTime,
                Next = cron.GetNextOccurrence(now, TimeZoneInfo.Utc)?.UtcDateTime ?? DateTime.MaxValue,
                LastUpdated = now.UtcDateTime,
            },
        };

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, new FunctionInvoker.Bindings(scope.ServiceProvider, stoppingToken, TriggerValue: info));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // As in the Functions host, a failed run is logged and the schedule goes on.
            logger.LogError(ex, "Timer function {FunctionName} failed", function.Name);
        }
    }
}
