using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Studies;

/// <summary><c>GET /api/studies</c>: every study with its dates on the way to deletion, for staff who handle requests and for analysts (no personal data in it).</summary>
public sealed class StudyListHttp(StudyStore studies, StudyPolicies policies, TimeProvider time)
{
    [Function(nameof(ListStudies))]
    public async Task<IActionResult> ListStudies(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, Role.StudyReaders);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var today = UkTime.DateOf(time.GetUtcNow());
        var summaries = new List<StudySummary>();
        foreach (var study in (await studies.ListStudiesAsync(cancellationToken)).OrderBy(s => s.StudyId, StringComparer.Ordinal))
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is { } found)
            {
                summaries.Add(new StudySummary(
                    study.StudyId, study.Title, study.EndOfDataCollection, study.PublishedOn, RetentionRule.DeletionDate(study, found.Policy),
                    RetentionRule.IsDue(study, found.Policy, today), RetentionRule.Describe(found.Policy)));
            }
        }

        return new OkObjectResult(new StudyList(summaries));
    }
}
