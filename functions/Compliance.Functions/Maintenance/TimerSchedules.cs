using Cronos;
using Microsoft.Extensions.Configuration;

namespace Compliance.Functions.Maintenance;

/// <summary>
/// The timer functions' schedules as both hosts read them: an NCRONTAB expression (six fields, seconds first, or the five of
/// standard cron; UTC) or the <c>%Setting%</c> that holds one. The self-host runs its timers by these; the health details
/// say by them when a timer next runs.
/// </summary>
public static class TimerSchedules
{
    /// <summary>Resolves <c>%Name%</c> to the setting's value and parses it; throws naming the setting when it is missing or invalid.</summary>
    public static CronExpression Parse(string schedule, IConfiguration configuration)
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

    /// <summary>When the timer whose schedule is in <paramref name="setting"/> next runs after <paramref name="now"/>; null when the setting is unset or invalid.</summary>
    public static DateTimeOffset? NextRun(IConfiguration configuration, string setting, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[setting]))
        {
            return null;
        }

        try
        {
            return Parse($"%{setting}%", configuration).GetNextOccurrence(now, TimeZoneInfo.Utc);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
