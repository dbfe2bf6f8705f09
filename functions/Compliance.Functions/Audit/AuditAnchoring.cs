using Compliance.Audit;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Audit;

/// <summary>
/// Copies the head of every audit chain (each registered study's and the global one) that has moved since it was last
/// anchored to write-once storage, hourly: a chain rewritten in the table after that is found by <c>GET /api/audit/verify</c>
/// even when every hash in it is consistent (docs/audit.md). Certificates anchor their study's chain as they are issued.
/// </summary>
public sealed class AuditAnchoring(AuditLog audit, StudyStore studies, ILogger<AuditAnchoring> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "AuditAnchorSchedule";

    [Function(nameof(AnchorAuditChains))]
    public async Task AnchorAuditChains([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var chains = (await studies.ListStudiesAsync(cancellationToken)).Select(s => AuditLog.ChainFor(s.StudyId)).Prepend(AuditLog.GlobalChain).ToList();
        var anchored = await audit.AnchorAsync(chains, AuditAnchors.Scheduled, cancellationToken);
        logger.LogInformation("Anchored {AnchorCount} of {ChainCount} audit chains", anchored, chains.Count);
    }
}
