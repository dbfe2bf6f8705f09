using Azure.Storage.Blobs;
using Compliance.Access;
using Compliance.Functions.Access;
using Compliance.Portal.Requests;
using Compliance.Portal.Studies;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;

namespace Compliance.Functions.Portal;

/// <summary>
/// What the private status page shows, for a request id and its token: nothing for a wrong token (the page is then the
/// same "not found" as for an unknown id), and only what the service did, never what the requester typed.
/// </summary>
public sealed class StatusPageReader(RequestStore requests, StudyPolicies policies, StatusLinks links, ExportLinks exportLinks, BlobServiceClient blobs, TimeProvider time)
{
    /// <summary>The page of <paramref name="requestId"/> when <paramref name="token"/> is its token; else null.</summary>
    public async Task<RequestStatusView?> ReadAsync(string requestId, string token, CancellationToken cancellationToken)
    {
        if (!await links.IsValidAsync(requestId, token, cancellationToken)
            || await requests.FindAsync(requestId, cancellationToken) is not { } request
            || await policies.FindAsync(request.StudyId, cancellationToken) is not { } found)
        {
            return null;
        }

        var expiresOn = await DownloadExpiryAsync(request, found.Policy, cancellationToken);
        var valid = expiresOn is { } e && e > time.GetUtcNow();
        var model = DataSubjectRequest.From(request);
        return new RequestStatusView(
            new StudyNotice(found.Study, found.Policy),
            request.RequestId,
            request.Type,
            model.Status,
            UkTime.DateOf(request.ReceivedAt),
            request.ExtendedTo ?? request.DueDate,
            request.Extended,
            request.Outcome,
            valid ? $"/status/{request.RequestId}/{token}/download" : null,
            valid ? expiresOn : null,
            DownloadExpired: expiresOn is not null && !valid);
    }

    /// <summary>A fresh read link to the access package, valid until the emailed one expires; null when it has or there is none.</summary>
    public async Task<Uri?> DownloadLinkAsync(string requestId, string token, CancellationToken cancellationToken)
    {
        if (await ReadAsync(requestId, token, cancellationToken) is not { Download: not null, DownloadExpiresOn: { } expiresOn } view)
        {
            return null;
        }

        var blob = blobs.GetBlobContainerClient(StorageLayout.Containers.Exports).GetBlobClient(AccessExportBuilder.PackageBlobName(view.Notice.StudyId, view.RequestId));
        return await exportLinks.CreateReadLinkAsync(blob, expiresOn, cancellationToken);
    }

    /// <summary>When the package's link expires: its policy's validity from when it was sent; null when none was sent.</summary>
    private async Task<DateTimeOffset?> DownloadExpiryAsync(DataSubjectRequestRecord request, Policies.StudyPolicy policy, CancellationToken cancellationToken)
    {
        if (request.Type != RequestType.Access || request.Outcome is null)
        {
            return null;
        }

        var history = await requests.GetHistoryAsync(request.RequestId, cancellationToken);
        return history.LastOrDefault(h => h.Event == AccessActivities.ExportSent) is { } sent
            ? ExportLinks.ExpiryFor(policy.Access.ExportLinkValidFor, sent.At)
            : null;
    }
}
