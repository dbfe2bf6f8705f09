namespace Compliance;

/// <summary>The UK calendar, where the statutory clock is kept: a request received at 23:30 UTC in summer was received the next UK day.</summary>
public static class UkTime
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The UK calendar date of a moment.</summary>
    public static DateOnly DateOf(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, London).DateTime);
}
