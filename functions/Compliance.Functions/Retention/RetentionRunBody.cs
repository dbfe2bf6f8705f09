using Compliance.Functions.Http;
using Compliance.Studies;

namespace Compliance.Functions.Retention;

/// <summary>The body of <c>POST /api/retention/run</c>: <c>{}</c> for every due study, or the one study to sweep.</summary>
public sealed record RetentionRunBody(string? StudyId)
{
    public static BodySchema<RetentionRunBody> Schema { get; } = new(
        ["studyId"],
        f => new(f.Text("studyId", required: false, 64, StudyIds.IsWellFormed, "must be a study id.")));
}
