using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Retention;

/// <summary>
/// The notice's promise as a rule: "All data stored by NatCen will be deleted once the report has been published", with the
/// policy's <c>retention.deleteAfterPublication</c> (3 months for MPATI). A study is due on its deletion date and after it.
/// </summary>
public static class RetentionRule
{
    /// <summary>The rule in words, for plans and certificates.</summary>
    public static string Describe(StudyPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return $"deleted once {policy.Retention.DeleteAfterPublication} have passed since the report's publication";
    }

    /// <summary>The day the study's data is deleted, or null while no publication date is recorded.</summary>
    public static DateOnly? DeletionDate(Study study, StudyPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(policy);
        return study.PublishedOn is { } published ? policy.Retention.DeleteAfterPublication.AddTo(published) : null;
    }

    /// <summary>Whether the study's data is due for deletion on <paramref name="today"/>.</summary>
    public static bool IsDue(Study study, StudyPolicy policy, DateOnly today) => DeletionDate(study, policy) is { } date && date <= today;
}
