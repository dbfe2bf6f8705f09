using Compliance.Functions.Http;
using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Functions.Studies;

/// <summary>
/// The body of <c>PUT /api/studies/{id}</c>: the study's title and dates, and its policy, named (<c>policyFile</c>), given
/// inline (<c>policy</c>, JSON) or as its text (<c>policyText</c>, YAML or JSON, as a file would hold it), read and checked
/// here: the record holds the policy's text. Mistakes in an inline policy or its text are named <c>policy.&lt;field&gt;</c>.
/// </summary>
public sealed record StudyBody(string Title, DateOnly EndOfDataCollection, DateOnly? AnalysisStartedOn, string PolicySource, string PolicyText, StudyPolicy Policy)
{
    /// <summary>The schema; a named policy must be one of <paramref name="policies"/>.</summary>
    public static BodySchema<StudyBody> Schema(PolicyCatalog policies) => new(
        ["title", "endOfDataCollection", "analysisStartedOn", "policyFile", "policy", "policyText"],
        f =>
        {
            var title = f.Text("title", required: true, 200);
            var endOfCollection = f.Date("endOfDataCollection", required: true);
            var analysisStarted = f.Date("analysisStartedOn", required: false);
            var policyFile = f.Text("policyFile", required: false, 64);
            var inline = f.Mapping("policy", required: false);
            var text = f.Text("policyText", required: false, MaxPolicyTextLength);
            var (policy, policyText) = ReadPolicy(f, policies, policyFile, inline?.GetRawText() ?? text, (inline is null ? 0 : 1) + (text is null ? 0 : 1));
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

    /// <summary>The longest policy text taken (the MPATI policy is about 6,000 characters).</summary>
    public const int MaxPolicyTextLength = 60_000;

    private static (StudyPolicy? Policy, string? Text) ReadPolicy(JsonFields f, PolicyCatalog policies, string? policyFile, string? inlineText, int inlineCount)
    {
        if ((policyFile is null ? 0 : 1) + inlineCount != 1)
        {
            f.Add("policy", "give one of 'policyFile' (the name of a file under policies/), 'policy' (the policy itself, as JSON) or 'policyText' (the policy as YAML or JSON text).");
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
