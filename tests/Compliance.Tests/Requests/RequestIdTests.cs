using Compliance.Requests;

namespace Compliance.Tests.Requests;

public sealed class RequestIdTests
{
    [Fact]
    public void Ids_carry_the_UTC_day_of_receipt_and_are_well_formed_and_distinct()
    {
        var at = new DateTimeOffset(2026, 11, 25, 23, 30, 0, TimeSpan.FromHours(-5)); // 04:30 UTC on the 26th

        var ids = Enumerable.Range(0, 1000).Select(_ => RequestId.New(at)).ToList();

        ids.ShouldAllBe(id => id.StartsWith("DSR-20261126-", StringComparison.Ordinal) && RequestId.IsWellFormed(id));
        ids.Distinct().Count().ShouldBe(ids.Count);
    }

    [Theory]
    [InlineData("DSR-20261125-7KQ2M9XA", true)]
    [InlineData("DSR-20261125-7KQ2M9XI", false)] // I is not in Crockford's alphabet
    [InlineData("dsr-20261125-7kq2m9xa", false)]
    [InlineData("DSR-2026112-7KQ2M9XA", false)]
    [InlineData("DSR-20261125-7KQ2M9XA ", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Recognises_the_shape_of_an_id(string? value, bool expected) => RequestId.IsWellFormed(value).ShouldBe(expected);
}
