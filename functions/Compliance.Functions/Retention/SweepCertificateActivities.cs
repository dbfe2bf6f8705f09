using System.Globalization;
using Compliance.Audit;
using Compliance.Functions.Telemetry;
using Compliance.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Retention;

/// <summary>The end of a sweep: its deletion certificate (<see cref="CertificateIssuer.IssueForSweepAsync"/>), written once, and its audit.</summary>
public sealed class SweepCertificateActivities(
    CertificateIssuer certificates,
    AuditLog audit,
    ComplianceMetrics metrics,
    ILogger<SweepCertificateActivities> logger)
{
    /// <summary>
    /// Checks that nothing planned is still listable, then writes the certificate (once), audits the sweep and counts what it
    /// did (<see cref="ComplianceMetrics.SweepDeleted"/>, <see cref="ComplianceMetrics.SweepLeft"/>, <see cref="ComplianceMetrics.SweepFailed"/>).
    /// </summary>
    [Function(nameof(IssueCertificate))]
    public async Task<RetentionSweepResult> IssueCertificate([ActivityTrigger] CertificateInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (certificate, heldBlobs) = await certificates.IssueForSweepAsync(
            input.StudyId,
            input.SweepId,
            input.StartedAt,
            input.HistoriesPurged,
            input.SuppliersTold?.Select(s => (s.SupplierId, s.TaskId)).ToList(),
            input.At,
            cancellationToken);
        await audit.AppendAsync(
            RetentionAuditEvents.Sweep(input.StudyId, AuditActions.RetentionSwept, $"{input.SweepId}:swept", ("sweepId", input.SweepId), ("deleted", Number(certificate.Items.Count)), ("stillPresent", Number(certificate.Verification.StillPresent)), ("heldBlobs", Number(heldBlobs))),
            cancellationToken);
        await audit.AppendAsync(RetentionAuditEvents.Sweep(input.StudyId, AuditActions.CertificateIssued, $"{input.SweepId}:certificate", ("certificateId", certificate.CertificateId)), cancellationToken);
        if (certificate.Verification.StillPresent > 0)
        {
            logger.LogError("Retention sweep {SweepId}: {Count} items are still present after deletion", input.SweepId, certificate.Verification.StillPresent);
        }

        metrics.SweepCertified(input.StudyId, certificate.Items.Count, heldBlobs, certificate.Verification.StillPresent);
        return new RetentionSweepResult(input.StudyId, "swept", certificate.CertificateId, certificate.Items.Count, heldBlobs, certificate.Verification.StillPresent);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
