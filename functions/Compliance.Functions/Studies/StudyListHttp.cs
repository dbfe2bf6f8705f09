using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Policies;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Studies;

/// <summary><c>GET /api/studies</c>: every study with its dates on the way to deletion, for staff who handle requests and for analysts (no personal data in it).</summary>
public sealed class StudyListHttp(StudyStore studies, StudyPolicies policies, PolicyCatalog catalog, TimeProvider time)
{
    /// <summary><c>GET /api/studies/{id}</c>: one study and the policy text it was registered with, for staff who handle requests.</summary>
    [Function(nameof(GetStudy))]
    public async Task<IActionResult> GetStudy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (_, study, problem) = await StaffRoute.FindAsync(req, Role.RequestHandlers, StudyIds.IsWellFormed(id), () => studies.FindStudyAsync(id, cancellationToken), "There is no study with that id.");
        return problem ?? new OkObjectResult(new StudyDetail(StudyViews.From(study!), study!.PolicyText));
    }

    /// <summary><c>GET /api/policies</c>: the policy files a study can be registered with, each with its text.</summary>
    [Function(nameof(ListPolicies))]
    public IActionResult ListPolicies(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/policies")] HttpRequest req)
    {
        var auth = StaffAuthorization.Require(req, Role.RequestHandlers);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var files = new List<PolicyFileView>();
        foreach (var name in catalog.Names.Order(StringComparer.Ordinal))
        {
            if (catalog.TryGet(name, out var policy, out var text))
            {
                files.Add(new PolicyFileView(name, policy!.PolicyVersion, policy.Notice.Version, policy.Notice.Title, text!));
            }
        }

        return new OkObjectResult(new PolicyFileList(files));
    }

    [Function(nameof(ListStudies))]
    public async Task<IActionResult> ListStudies(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var auth = StaffAuthorization.Require(req, Role.StudyReaders);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (page, problem) = PageQuery.ReadAlone(req.Query);
        if (problem is not null)
        {
            return problem;
        }

        // Only the page's studies have their policies read: a study's summary needs its policy, the page's order does not.
        var (onPage, next, badContinuation) = PageQuery.Take(await studies.ListStudiesAsync(cancellationToken), s => s.StudyId, page);
        if (badContinuation is not null)
        {
            return badContinuation;
        }

        return new OkObjectResult(new StudyList(await SummariesAsync(onPage!, cancellationToken), next));
    }

    /// <summary>Each study as the list shows it, with its dates on the way to deletion from its policy.</summary>
    private async Task<IReadOnlyList<StudySummary>> SummariesAsync(IReadOnlyList<Study> onPage, CancellationToken cancellationToken)
    {
        var today = UkTime.DateOf(time.GetUtcNow());
        var summaries = new List<StudySummary>();
        foreach (var study in onPage)
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is { } found)
            {
                summaries.Add(new StudySummary(
                    study.StudyId, study.Title, study.EndOfDataCollection, study.PublishedOn, RetentionRule.DeletionDate(study, found.Policy),
                    RetentionRule.IsDue(study, found.Policy, today), RetentionRule.Describe(found.Policy)));
            }
        }

        return summaries;
    }
}
