using Compliance.Deadlines;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Deadlines;

public sealed class BankHolidayFileTests
{
    private static string DataFile => Path.Combine(Repository.Root, "data", "bank-holidays-england-and-wales.json");

    [Fact]
    public void The_repository_file_loads_from_its_path_and_is_the_one_embedded_in_the_build()
    {
        // Act
        var fromPath = EnglandAndWalesBankHolidays.Load(DataFile);

        // Assert
        fromPath.Changes.ShouldBe(EnglandAndWalesBankHolidays.Default.Changes);
        fromPath.Changes.ShouldContain(new BankHolidayChange(new DateOnly(2023, 5, 8), "Bank holiday for the coronation of King Charles III"));
        fromPath.Changes.ShouldContain(new BankHolidayChange(new DateOnly(2022, 6, 2), "Spring bank holiday", new DateOnly(2022, 5, 30)));
    }

    [Fact]
    public void An_empty_file_leaves_the_usual_holidays()
    {
        // Act
        var holidays = EnglandAndWalesBankHolidays.Parse("{}");

        // Assert
        holidays.Changes.ShouldBeEmpty();
        holidays.IsBankHoliday(new DateOnly(2022, 5, 30), out var name).ShouldBeTrue();
        name.ShouldBe("Spring bank holiday");
        holidays.IsBankHoliday(new DateOnly(2022, 6, 3)).ShouldBeFalse();
        holidays.For(2022).ShouldBe(EnglandAndWalesBankHolidays.UsualFor(2022));
    }

    [Fact]
    public void A_future_one_off_holiday_added_to_the_file_is_a_bank_holiday()
    {
        // Arrange
        const string json = """
            { "additional": [ { "date": "2031-06-06", "name": "A future proclamation" } ],
              "moved": [ { "from": "2031-05-26", "to": "2031-06-05", "name": "Spring bank holiday" } ] }
            """;

        // Act
        var holidays = EnglandAndWalesBankHolidays.Parse(json);

        // Assert
        holidays.For(2031).Select(h => h.Date.ToString("MM-dd", null)).ShouldBe(
            ["01-01", "04-11", "04-14", "05-05", "06-05", "06-06", "08-25", "12-25", "12-26"]);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("""{ "extra": [] }""", "unknown property \"extra\"")]
    [InlineData("""{ "additional": {} }""", "additional must be an array")]
    [InlineData("""{ "description": 1 }""", "description must be a string")]
    [InlineData("""{ "additional": [ { "date": "2031-06-06" } ] }""",
        """additional[0] { "date": "2031-06-06" }: missing name""")]
    [InlineData("""{ "additional": [ { "date": "2031-06-06", "name": "x", "note": "y" } ] }""",
        "additional[0] { \"date\": \"2031-06-06\", \"name\": \"x\", \"note\": \"y\" }: unknown property \"note\"")]
    [InlineData("""{ "additional": [ { "date": "2031-06-06", "name": "x", "date": "2031-06-09" } ] }""", "\"date\" is given twice")]
    [InlineData("""{ "additional": [ { "date": "2031-13-06", "name": "x" } ] }""",
        """additional[0] { "date": "2031-13-06", "name": "x" }: date is not a date written yyyy-MM-dd""")]
    [InlineData("""{ "additional": [ { "date": "06/06/2031", "name": "x" } ] }""", "date is not a date written yyyy-MM-dd")]
    [InlineData("""{ "additional": [ { "date": 20310606, "name": "x" } ] }""", "date is not a date written yyyy-MM-dd")]
    [InlineData("""{ "additional": [ { "date": "1977-06-07", "name": "Silver Jubilee" } ] }""", "date is before 1978")]
    [InlineData("""{ "additional": [ { "date": "2031-06-06", "name": " " } ] }""", "name must be a non-empty string")]
    [InlineData("""{ "additional": [ { "date": "2031-06-07", "name": "x" } ] }""", "2031-06-07 is a Saturday; a bank holiday is always a weekday")]
    [InlineData("""{ "additional": [ { "date": "2031-05-26", "name": "x" } ] }""", "2031-05-26 is already a bank holiday (Spring bank holiday)")]
    [InlineData("""{ "additional": [ { "date": "2031-06-06", "name": "x" }, { "date": "2031-06-06", "name": "y" } ] }""",
        """additional[1] { "date": "2031-06-06", "name": "y" }: 2031-06-06 is already given by additional[0]""")]
    [InlineData("""{ "moved": [ { "from": "2031-05-27", "to": "2031-06-06", "name": "x" } ] }""",
        """moved[0] { "from": "2031-05-27", "to": "2031-06-06", "name": "x" }: 2031-05-27 is not a usual bank holiday, so it cannot be moved""")]
    [InlineData("""{ "moved": [ { "from": "2031-05-26", "to": "2031-05-26", "name": "x" } ] }""", "moves 2031-05-26 (Spring bank holiday) to the same day")]
    [InlineData("""{ "moved": [ { "from": "2031-05-26", "to": "2031-06-08", "name": "x" } ] }""", "2031-06-08 is a Sunday")]
    [InlineData("""{ "moved": [ { "from": "2031-05-26", "to": "2031-05-05", "name": "x" } ] }""", "2031-05-05 is already a bank holiday (Early May bank holiday)")]
    [InlineData("""{ "moved": [ { "from": "2031-05-26", "to": "2031-06-05", "name": "x" }, { "from": "2031-05-26", "to": "2031-06-06", "name": "x" } ] }""",
        "moved[1] { \"from\": \"2031-05-26\", \"to\": \"2031-06-06\", \"name\": \"x\" }: 2031-05-26 is already moved by moved[0]")]
    [InlineData("""{ "additional": [ { "date": "2031-06-05", "name": "x" } ], "moved": [ { "from": "2031-05-26", "to": "2031-06-05", "name": "y" } ] }""",
        "2031-06-05 is already given by additional[0]")]
    [InlineData("""{ "moved": [ { "from": "2031-05-26", "name": "x" } ] }""", "missing to")]
    public void A_wrong_file_is_refused_with_the_entry_that_is_wrong(string json, string message)
    {
        // Act
        var error = Should.Throw<InvalidDataException>(() => EnglandAndWalesBankHolidays.Parse(json, "test.json"));

        // Assert
        error.Message.ShouldStartWith("test.json: ");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void A_wrong_file_on_disk_is_refused_naming_the_file()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), $"bank-holidays-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "additional": [ { "date": "2031-06-07", "name": "x" } ] }""");

        try
        {
            // Act
            var error = Should.Throw<InvalidDataException>(() => EnglandAndWalesBankHolidays.Load(path));

            // Assert
            error.Message.ShouldStartWith(path + ": additional[0]");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
