using System.Globalization;
using Compliance.Deadlines;

namespace Compliance.Tests.Deadlines;

public sealed class BankHolidayTests
{
    private static readonly EnglandAndWalesBankHolidays Holidays = EnglandAndWalesBankHolidays.Default;

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    // GOV.UK's published list for England and Wales (https://www.gov.uk/bank-holidays) for the years it covers;
    // later years as the same rules give them. Eight a year, weekend days replaced by their substitute days.
    public static TheoryData<int, string[]> PublishedLists => new()
    {
        { 2024, ["2024-01-01 New Year's Day", "2024-03-29 Good Friday", "2024-04-01 Easter Monday", "2024-05-06 Early May bank holiday",
                 "2024-05-27 Spring bank holiday", "2024-08-26 Summer bank holiday", "2024-12-25 Christmas Day", "2024-12-26 Boxing Day"] },
        { 2025, ["2025-01-01 New Year's Day", "2025-04-18 Good Friday", "2025-04-21 Easter Monday", "2025-05-05 Early May bank holiday",
                 "2025-05-26 Spring bank holiday", "2025-08-25 Summer bank holiday", "2025-12-25 Christmas Day", "2025-12-26 Boxing Day"] },
        { 2026, ["2026-01-01 New Year's Day", "2026-04-03 Good Friday", "2026-04-06 Easter Monday", "2026-05-04 Early May bank holiday",
                 "2026-05-25 Spring bank holiday", "2026-08-31 Summer bank holiday", "2026-12-25 Christmas Day", "2026-12-28 Boxing Day (substitute day)"] },
        { 2027, ["2027-01-01 New Year's Day", "2027-03-26 Good Friday", "2027-03-29 Easter Monday", "2027-05-03 Early May bank holiday",
                 "2027-05-31 Spring bank holiday", "2027-08-30 Summer bank holiday", "2027-12-27 Christmas Day (substitute day)",
                 "2027-12-28 Boxing Day (substitute day)"] },
        { 2028, ["2028-01-03 New Year's Day (substitute day)", "2028-04-14 Good Friday", "2028-04-17 Easter Monday", "2028-05-01 Early May bank holiday",
                 "2028-05-29 Spring bank holiday", "2028-08-28 Summer bank holiday", "2028-12-25 Christmas Day", "2028-12-26 Boxing Day"] },
        { 2029, ["2029-01-01 New Year's Day", "2029-03-30 Good Friday", "2029-04-02 Easter Monday", "2029-05-07 Early May bank holiday",
                 "2029-05-28 Spring bank holiday", "2029-08-27 Summer bank holiday", "2029-12-25 Christmas Day", "2029-12-26 Boxing Day"] },
        { 2030, ["2030-01-01 New Year's Day", "2030-04-19 Good Friday", "2030-04-22 Easter Monday", "2030-05-06 Early May bank holiday",
                 "2030-05-27 Spring bank holiday", "2030-08-26 Summer bank holiday", "2030-12-25 Christmas Day", "2030-12-26 Boxing Day"] },
    };

    [Theory]
    [MemberData(nameof(PublishedLists))]
    public void Each_year_from_2024_to_2030_matches_the_published_list(int year, string[] expected)
    {
        // Act
        var holidays = Holidays.For(year);

        // Assert
        holidays.Select(h => $"{h.Date:yyyy-MM-dd} {h.Name}").ShouldBe(expected);
        holidays.Count.ShouldBe(8);
    }

    [Theory]
    [InlineData(2024, "2024-03-31", "2024-03-29", "2024-04-01")]
    [InlineData(2025, "2025-04-20", "2025-04-18", "2025-04-21")]
    [InlineData(2026, "2026-04-05", "2026-04-03", "2026-04-06")]
    [InlineData(2027, "2027-03-28", "2027-03-26", "2027-03-29")]
    [InlineData(2028, "2028-04-16", "2028-04-14", "2028-04-17")]
    [InlineData(2029, "2029-04-01", "2029-03-30", "2029-04-02")]
    [InlineData(2030, "2030-04-21", "2030-04-19", "2030-04-22")]
    public void Easter_gives_Good_Friday_and_Easter_Monday(int year, string easterSunday, string goodFriday, string easterMonday)
    {
        // Act
        var sunday = EnglandAndWalesBankHolidays.EasterSunday(year);

        // Assert
        sunday.ShouldBe(D(easterSunday));
        Holidays.IsBankHoliday(D(goodFriday), out var friday).ShouldBeTrue();
        friday.ShouldBe("Good Friday");
        Holidays.IsBankHoliday(D(easterMonday), out var monday).ShouldBeTrue();
        monday.ShouldBe("Easter Monday");
        Holidays.IsBankHoliday(D(easterSunday)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(2000, "2000-04-23")]
    [InlineData(2008, "2008-03-23")] // 23 March
    [InlineData(2011, "2011-04-24")]
    [InlineData(2038, "2038-04-25")] // 25 April, the latest possible
    [InlineData(2285, "2285-03-22")] // 22 March, the earliest possible
    public void Easter_Sunday_is_right_at_the_extremes(int year, string expected) =>
        EnglandAndWalesBankHolidays.EasterSunday(year).ShouldBe(D(expected));

    [Theory]
    // Christmas Day on a Saturday: both days move to the Monday and Tuesday.
    [InlineData("2027-12-25", false, null)]
    [InlineData("2027-12-26", false, null)]
    [InlineData("2027-12-27", true, "Christmas Day (substitute day)")]
    [InlineData("2027-12-28", true, "Boxing Day (substitute day)")]
    [InlineData("2032-12-27", true, "Christmas Day (substitute day)")]
    [InlineData("2032-12-28", true, "Boxing Day (substitute day)")]
    // Christmas Day on a Sunday: Boxing Day keeps the Monday, Christmas Day's substitute is the Tuesday.
    [InlineData("2033-12-26", true, "Boxing Day")]
    [InlineData("2033-12-27", true, "Christmas Day (substitute day)")]
    [InlineData("2022-12-26", true, "Boxing Day")]
    [InlineData("2022-12-27", true, "Christmas Day (substitute day)")]
    // Christmas Day on a Friday: Boxing Day, a Saturday, moves to the Monday.
    [InlineData("2026-12-25", true, "Christmas Day")]
    [InlineData("2026-12-26", false, null)]
    [InlineData("2026-12-28", true, "Boxing Day (substitute day)")]
    // New Year's Day at a weekend: the next Monday.
    [InlineData("2028-01-01", false, null)]
    [InlineData("2028-01-03", true, "New Year's Day (substitute day)")]
    [InlineData("2023-01-02", true, "New Year's Day (substitute day)")]
    [InlineData("2022-01-03", true, "New Year's Day (substitute day)")]
    public void Weekend_holidays_have_substitute_days(string date, bool isHoliday, string? name)
    {
        // Act
        var result = Holidays.IsBankHoliday(D(date), out var actualName);

        // Assert
        result.ShouldBe(isHoliday);
        actualName.ShouldBe(name);
    }

    [Theory]
    [InlineData("1981-07-29", "Royal wedding")]
    [InlineData("1995-05-08", "Early May bank holiday (VE Day)")]
    [InlineData("1999-12-31", "Millennium celebrations")]
    [InlineData("2002-06-03", "Golden Jubilee")]
    [InlineData("2002-06-04", "Spring bank holiday")]
    [InlineData("2011-04-29", "Royal wedding")]
    [InlineData("2012-06-04", "Spring bank holiday")]
    [InlineData("2012-06-05", "Queen's Diamond Jubilee")]
    [InlineData("2020-05-08", "Early May bank holiday (VE Day)")]
    [InlineData("2022-06-02", "Spring bank holiday")]
    [InlineData("2022-06-03", "Platinum Jubilee bank holiday")]
    [InlineData("2022-09-19", "Bank holiday for the State Funeral of Queen Elizabeth II")]
    [InlineData("2023-05-08", "Bank holiday for the coronation of King Charles III")]
    public void One_off_days_of_the_data_file_are_bank_holidays(string date, string name)
    {
        // Act
        var result = Holidays.IsBankHoliday(D(date), out var actualName);

        // Assert
        result.ShouldBeTrue();
        actualName.ShouldBe(name);
        Holidays.IsWorkingDay(D(date)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("1995-05-01")]
    [InlineData("2002-05-27")]
    [InlineData("2012-05-28")]
    [InlineData("2020-05-04")]
    [InlineData("2022-05-30")]
    public void A_moved_holiday_leaves_a_working_day_behind(string usualDay)
    {
        // Act and Assert
        Holidays.IsBankHoliday(D(usualDay)).ShouldBeFalse();
        Holidays.IsWorkingDay(D(usualDay)).ShouldBeTrue();
    }

    [Fact]
    public void Years_with_one_off_changes_list_them_in_date_order()
    {
        // Act
        var year2022 = Holidays.For(2022);
        var year2020 = Holidays.For(2020);

        // Assert
        year2022.Select(h => $"{h.Date:yyyy-MM-dd} {h.Name}").ShouldBe(
        [
            "2022-01-03 New Year's Day (substitute day)", "2022-04-15 Good Friday", "2022-04-18 Easter Monday",
            "2022-05-02 Early May bank holiday", "2022-06-02 Spring bank holiday", "2022-06-03 Platinum Jubilee bank holiday",
            "2022-08-29 Summer bank holiday", "2022-09-19 Bank holiday for the State Funeral of Queen Elizabeth II",
            "2022-12-26 Boxing Day", "2022-12-27 Christmas Day (substitute day)",
        ]);
        year2020.Select(h => $"{h.Date:yyyy-MM-dd}").ShouldBe(
            ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"]);
    }

    [Theory]
    [InlineData("2026-04-02", true)]  // Thursday before Easter
    [InlineData("2026-04-03", false)] // Good Friday
    [InlineData("2026-04-04", false)] // Saturday
    [InlineData("2026-04-05", false)] // Sunday
    [InlineData("2026-04-06", false)] // Easter Monday
    [InlineData("2026-04-07", true)]
    [InlineData("2026-12-24", true)]
    [InlineData("2026-12-29", true)]
    public void Working_days_are_Monday_to_Friday_except_bank_holidays(string date, bool expected) =>
        Holidays.IsWorkingDay(D(date)).ShouldBe(expected);

    [Fact]
    public void Years_before_the_rules_began_are_refused()
    {
        // Act and Assert
        Should.Throw<ArgumentOutOfRangeException>(() => Holidays.For(EnglandAndWalesBankHolidays.FirstYear - 1));
        Should.Throw<ArgumentOutOfRangeException>(() => Holidays.IsWorkingDay(new DateOnly(EnglandAndWalesBankHolidays.FirstYear - 1, 6, 1)));
        Holidays.For(EnglandAndWalesBankHolidays.FirstYear).Count.ShouldBe(8);
    }
}
