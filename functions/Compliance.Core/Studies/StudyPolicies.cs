using System.Collections.Concurrent;
using Compliance.Policies;

namespace Compliance.Studies;

/// <summary>The policy a registered study runs under, read from the text it was registered with (parsed once per version).</summary>
public sealed class StudyPolicies(StudyStore studies)
{
    private readonly ConcurrentDictionary<(string StudyId, DateTimeOffset UpdatedAt), StudyPolicy> cache = new();

    /// <summary>The study and its policy, or null when there is no such study.</summary>
    public async Task<(Study Study, StudyPolicy Policy)?> FindAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var study = await studies.FindStudyAsync(studyId, cancellationToken);
        if (study is null)
        {
            return null;
        }

        var policy = cache.GetOrAdd((study.StudyId, study.UpdatedAt), _ => PolicyReader.Read(study.PolicyText, $"study {study.StudyId}"));
        return (study, policy);
    }

    /// <summary>The study and its policy; throws when the study is not registered.</summary>
    public async Task<(Study Study, StudyPolicy Policy)> GetAsync(string studyId, CancellationToken cancellationToken = default) =>
        await FindAsync(studyId, cancellationToken) ?? throw new InvalidOperationException($"Study {studyId} is not registered.");
}
