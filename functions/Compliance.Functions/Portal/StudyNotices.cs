using Compliance.Portal.Studies;
using Compliance.Studies;

namespace Compliance.Functions.Portal;

/// <summary>The notices of registered studies, as the portal's pages show them.</summary>
public sealed class StudyNotices(StudyStore studies, StudyPolicies policies)
{
    /// <summary>The notice of a registered study, or null (an id of the wrong shape is simply not one).</summary>
    public async Task<StudyNotice?> FindAsync(string studyId, CancellationToken cancellationToken) =>
        StudyIds.IsWellFormed(studyId) && await policies.FindAsync(studyId, cancellationToken) is { } found
            ? new StudyNotice(found.Study, found.Policy)
            : null;

    /// <summary>Every registered study's notice, by name.</summary>
    public async Task<IReadOnlyList<StudyNotice>> ListAsync(CancellationToken cancellationToken)
    {
        var notices = new List<StudyNotice>();
        foreach (var study in await studies.ListStudiesAsync(cancellationToken))
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is { } found)
            {
                notices.Add(new StudyNotice(found.Study, found.Policy));
            }
        }

        return notices.OrderBy(n => n.Name, StringComparer.CurrentCulture).ToList();
    }
}
