using Compliance.Functions.Http;
using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Functions.Studies;

/// <summary>
/// The body of <c>PUT /api/studies/{id}</c>: the study's title and dates, and its policy, named (<c>policyFile</c>) or given
/// inline (<c>policy</c>), read and checked here: the record holds the policy's text, not the JSON it came in.
/// </summary>
public sealed record StudyBody(string Title, DateOnly EndOfDataCollection, DateOnly? AnalysisStartedOn, string PolicySource, string PolicyText, StudyPolicy Policy)
{
    /// <summary>The schema; a named policy must be one of <paramref name="policies"/>.</summary>
    public static BodySchema<StudyBody> Schema(PolicyCatalog policies) => new(
        ["title", "endOfDataCollection", "analysisStartedOn", "policyFile", "policy"],
        f =>
        {
            var title = f.Text("title", required: true, 200);
            var endOfCollection = f.Date("endOfDataCollection", required: true);
            var analysisStarted = f.Date("analysisStartedOn", required: false);
            var policyFile = f.Text("policyFile", required: false, 64);
            var inline = f.Mapping("policy", required: false);
            var (policy, policyText) = ReadPolicy(f, policies, policyFile, inline?.GetRawText(), inline is null);
            return new StudyBody(title!, endOfCollection.GetValueOrDefault(), analysisStarted, policyFile ?? "inline", policyText!, policy!);
        });

    /// <summary>The study this body registers, keeping what <paramref name="existing"/> (if any) already recorded.</summary>
    public Study ToStudy(string studyId, Study? existing, DateTimeOffset now) => new()
    {
        StudyId = studyId,
        Title = Title,
        PolicySource = PolicySource,
        PolicyText = PolicyText,
        PolicyVersion = Policy.PolicyVersion,
        NoticeVersion = Policy.Notice.Version,
        EndOfDataCollection = EndOfDataCollection,
        AnalysisStartedOn = AnalysisStartedOn,
        PublishedOn = existing?.PublishedOn,
        RegisteredAt = existing?.RegisteredAt ?? now,
        UpdatedAt = now,
    };

    private static (StudyPolicy? Policy, string? Text) ReadPolicy(JsonFields f, PolicyCatalog policies, string? policyFile, string? inlineText, bool noInline)
    {
        if ((policyFile is null) == noInline)
        {
            f.Add("policy", "give either 'policyFile' (the name of a file under policies/) or 'policy' (the policy itself), not both.");
            return (null, null);
        }

        if (policyFile is not null)
        {
            if (!policies.TryGet(policyFile, out var named, out var namedText))
            {
                f.Add("policyFile", $"names no policy file; known: {string.Join(", ", policies.Names)}.");
            }

            return (named, namedText);
        }

        var (parsed, errors) = PolicyReader.TryRead(inlineText!);
        foreach (var error in errors)
        {
            f.Add($"policy.{error.Field}", error.Message);
        }

        return (parsed, inlineText);
    }
}
