using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;

namespace Compliance.Tests.Http;

/// <summary>
/// The ids and values the routes take are checked by anchored patterns that end at the end of the text: in .NET, <c>$</c>
/// also matches before a final newline, so <c>"MPATI\n"</c> would have passed as a study id and gone on into storage.
/// </summary>
public sealed class IdShapeTests
{
    public static TheoryData<string, Func<string, bool>> Validators() => new()
    {
        { "DSR-20261202-7KQ2M9XA", RequestId.IsWellFormed },
        { "MPATI", StudyIds.IsWellFormed },
        { "SG-7KQ2M9XA", v => PseudonymousId.IsWellFormed(v, "SG") },
        { "retention-MPATI", v => WorkflowRef.TryParse(v, out _) },
    };

    [Theory]
    [MemberData(nameof(Validators))]
    public void A_value_with_a_trailing_newline_is_not_well_formed(string valid, Func<string, bool> isWellFormed)
    {
        ArgumentNullException.ThrowIfNull(isWellFormed);

        isWellFormed(valid).ShouldBeTrue();
        isWellFormed(valid + "\n").ShouldBeFalse();
        isWellFormed(valid + "\r\n").ShouldBeFalse();
    }
}
