using Compliance.Access;
using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Access;

/// <summary>
/// The activities of an access request: when the anonymised transcript may be given, and the export package with its
/// read-only link. The link exists only in the email to the participant.
/// </summary>
public sealed class AccessActivities(
    RequestStore requests,
    AccessExportBuilder exports,
    ExportLinks links,
    Mailer mailer,
    AuditLog audit,
    ILogger<AccessActivities> logger)
{
    /// <summary>The history event (and step key) of the package's link having been sent: the link's validity runs from it.</summary>
    public const string ExportSent = "export-sent";

    /// <summary>From when the export may be built (latest session + the policy's days) and which sessions have no transcript yet.</summary>
    [Function(nameof(CheckAccessReadiness))]
    public async Task<AccessReadiness> CheckAccessReadiness([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var readiness = await exports.CheckTranscriptsAsync(request.StudyId, request.ParticipantId!, cancellationToken);
        return new AccessReadiness(readiness.EarliestBuildAt ?? input.At, readiness.SessionsWithoutTranscript);
    }

    /// <summary>
    /// Builds the package (the same blob if built before), makes a link that expires after the policy's period, and sends it.
    /// Once the email is written, a retry changes nothing: no second link is made.
    /// </summary>
    [Function(nameof(DeliverAccessExport))]
    public async Task DeliverAccessExport([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var export = await exports.BuildAsync(request.StudyId, request.RequestId, request.ParticipantId!, cancellationToken);
        var link = await links.CreateAsync(request.StudyId, export, cancellationToken);
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["link"] = link.Uri.ToString(),
            ["linkExpiresOn"] = RequestEmails.FormatMoment(link.ExpiresOn),
        };
        await mailer.SendToRequesterAsync(request, EmailKind.OutcomeAccess, "outcome", extra, input.At, cancellationToken);
        await requests.RecordStepAsync(request, ExportSent, ExportSent, AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(
            RequestAuditEvents.Step(
                request,
                AuditActions.ExportCreated,
                ExportSent,
                AuditActors.System,
                ("blob", $"{export.Container}/{export.BlobName}"),
                ("sha256", export.Sha256),
                ("sessions", RequestAuditEvents.Ids(export.SessionIds)),
                ("sessionsToReview", RequestAuditEvents.Ids(export.SessionsToReview)),
                ("redactionLog", export.RedactionLogBlobName),
                ("linkExpiresOn", link.ExpiresOn.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture))),
            cancellationToken);
        logger.LogInformation("Request {RequestId}: access export of {Sessions} sessions sent", request.RequestId, export.SessionIds.Count);
    }

}
