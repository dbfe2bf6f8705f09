using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Retention;

/// <summary>
/// Retention on demand and on schedule: <c>POST /api/retention/run</c>, the daily <c>RunRetentionSweeps</c> timer, the plan
/// (<c>GET /api/studies/{id}/retention</c>) and the certificates (<c>GET /api/certificates/{id}</c>).
/// </summary>
public sealed class RetentionHttp(
    StudyStore studies,
    StudyPolicies policies,
    HoldStore holds,
    RetentionInventoryBuilder inventories,
    CertificateStore certificates,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    ILogger<RetentionHttp> logger)
{
    /// <summary>The setting that holds the sweep's NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "RetentionSweepSchedule";

    internal static readonly string[] Runners = [Role.Admin, Role.Dpo];
    internal static readonly string[] DpoOnly = [Role.Dpo];

    /// <summary><c>POST /api/retention/run</c> with <c>{}</c> (every due study) or <c>{studyId}</c>: starts the sweeps now.</summary>
    [Function(nameof(RunRetention))]
    public async Task<IActionResult> RunRetention(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/retention/run")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var (_, body, problem) = await StaffRoute.ReadAsync(req, Runners, RetentionRunBody.Schema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var studyId = body!.StudyId;
        if (studyId is not null && await studies.FindStudyAsync(studyId, cancellationToken) is null)
        {
            return ApiProblem.NotFound("There is no study with that id.");
        }

        var started = await StartSweepsAsync(studyId, durable, cancellationToken);
        return new AcceptedResult((string?)null, new SweepStarts(started));
    }

    /// <summary>Daily (<c>%RetentionSweepSchedule%</c>): starts the sweep of every study whose deletion date has come.</summary>
    [Function(nameof(RunRetentionSweeps))]
    public async Task RunRetentionSweeps(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await StartSweepsAsync(null, durable, cancellationToken);
        logger.LogInformation("Retention timer: {Started} sweeps started of {Due} studies due", started.Count(s => s.Started), started.Count);
    }

    /// <summary><c>GET /api/studies/{id}/retention</c>: what is deleted when, what holds keep, and the rule.</summary>
    [Function(nameof(GetRetentionPlan))]
    public async Task<IActionResult> GetRetentionPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies/{id}/retention")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, Role.RequestHandlers);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (!StudyIds.IsWellFormed(id) || await policies.FindAsync(id, cancellationToken) is not { } found)
        {
            return ApiProblem.NotFound("There is no study with that id.");
        }

        var date = RetentionRule.DeletionDate(found.Study, found.Policy);
        var inventory = await inventories.BuildAsync(id, "plan", time.GetUtcNow(), int.MaxValue, cancellationToken);
        var items = inventory.Items.Select(i => new RetentionPlanItem(i.Container, i.BlobName, i.VersionId, i.Snapshot, i.Size, date, []))
            .Concat(inventory.Held.Select(h => new RetentionPlanItem(h.Container, h.BlobName, null, null, 0, null, h.HoldIds)))
            .OrderBy(i => i.Container, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
        return new OkObjectResult(new RetentionPlanView(
            id,
            RetentionRule.Describe(found.Policy),
            found.Study.PublishedOn,
            date,
            RetentionRule.IsDue(found.Study, found.Policy, UkTime.DateOf(time.GetUtcNow())),
            (await holds.ListActiveAsync(id, cancellationToken)).Select(HoldViews.From).ToList(),
            items,
            inventory.Participants,
            inventory.HeldParticipants));
    }

    /// <summary><c>GET /api/certificates?studyId=</c> (DPO): the study's deletion certificates, newest first.</summary>
    [Function(nameof(ListCertificates))]
    public async Task<IActionResult> ListCertificates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/certificates")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (_, query, problem) = await StaffRoute.StudyFromQueryAsync(req, DpoOnly, async id => await studies.FindStudyAsync(id, cancellationToken) is not null);
        if (problem is not null)
        {
            return problem;
        }

        return PageQuery.Answer(
            await certificates.ListAsync(query!.StudyId, cancellationToken),
            c => $"{KeysetPaging.Descending(c.CompletedAt)}|{c.CertificateId}",
            query.Page,
            (page, next) => new CertificateList(query.StudyId, page, next));
    }

    /// <summary><c>GET /api/certificates/{id}</c> (DPO): the certificate as JSON, or as text with <c>?format=text</c>.</summary>
    [Function(nameof(GetCertificate))]
    public async Task<IActionResult> GetCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/certificates/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (!CertificateStore.IsCertificateId(id))
        {
            return ApiProblem.NotFound("There is no certificate with that id.");
        }

        if (req.Query["format"] == "text")
        {
            return await certificates.FindTextAsync(id, cancellationToken) is { } text
                ? new ContentResult { Content = text, ContentType = "text/plain; charset=utf-8", StatusCode = StatusCodes.Status200OK }
                : ApiProblem.NotFound("There is no certificate with that id.");
        }

        return await certificates.FindAsync(id, cancellationToken) is { } certificate
            ? new OkObjectResult(certificate)
            : ApiProblem.NotFound("There is no certificate with that id.");
    }

    /// <summary>Starts the sweep of <paramref name="studyId"/> (or of every study due), unless one is running.</summary>
    private async Task<IReadOnlyList<SweepStart>> StartSweepsAsync(string? studyId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var today = UkTime.DateOf(time.GetUtcNow());
        var starts = new List<SweepStart>();
        var candidates = studyId is null ? await studies.ListStudiesAsync(cancellationToken) : [(await studies.FindStudyAsync(studyId, cancellationToken))!];
        foreach (var study in candidates)
        {
            var instanceId = RetentionSweepOrchestration.InstanceIdFor(study.StudyId);
            var found = await policies.FindAsync(study.StudyId, cancellationToken);
            if (found is null || !RetentionRule.IsDue(found.Value.Study, found.Value.Policy, today))
            {
                if (studyId is not null)
                {
                    starts.Add(new SweepStart(study.StudyId, instanceId, false, found?.Study.PublishedOn is null ? SweepStartReason.NoPublicationDate : SweepStartReason.NotDue));
                }

                continue;
            }

            if (await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
            {
                starts.Add(new SweepStart(study.StudyId, instanceId, false, SweepStartReason.AlreadyRunning));
                continue;
            }

            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(RetentionSweepOrchestration.RetentionSweep),
                new RetentionSweepInput(study.StudyId),
                new StartOrchestrationOptions(instanceId),
                cancellationToken);
            starts.Add(new SweepStart(study.StudyId, instanceId, true, SweepStartReason.Due));
        }

        return starts;
    }
}
