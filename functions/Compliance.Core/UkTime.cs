namespace Compliance;

/// <summary>The UK calendar, where the statutory clock is kept: a request received at 23:30 UTC in summer was received the next UK day.</summary>
public static class UkTime
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The UK calendar date of a moment.</summary>
    public static DateOnly DateOf(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, London).DateTime);

    /// <summary>The same moment with the UK's offset (GMT or BST).</summary>
    public static DateTimeOffset ToUkTime(DateTimeOffset moment) => TimeZoneInfo.ConvertTime(moment, London);

    /// <summary>The moment a UK calendar date begins: midnight in London, GMT or BST as the date has it.</summary>
    public static DateTimeOffset StartOf(DateOnly date)
    {
        // UK clocks change at 01:00 GMT, so midnight always exists and is never repeated.
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, London.GetUtcOffset(midnight)).ToUniversalTime();
    }
}
