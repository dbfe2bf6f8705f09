using Compliance.Portal.Studies;
using Compliance.Requests;

namespace Compliance.Portal.Requests;

/// <summary>What the private status page shows: nothing the requester typed, only what the service did and when.</summary>
/// <param name="Notice">The study's notice, for its names and contacts.</param>
/// <param name="RequestId">The reference.</param>
/// <param name="Type">The request type (wire name).</param>
/// <param name="State">Where the request stands.</param>
/// <param name="ReceivedOn">The UK date it was received.</param>
/// <param name="DueDate">The date a reply is due (extended, if it was), once the clock runs.</param>
/// <param name="Extended">Whether the deadline was extended.</param>
/// <param name="Outcome">What was done, for a completed request (an outcome email kind).</param>
/// <param name="Download">For an access request whose package was sent: where to download it while its link is valid.</param>
/// <param name="DownloadExpiresOn">When the download stops working; after it, the page says what to do.</param>
/// <param name="DownloadExpired">Whether a package was sent and its link has expired.</param>
public sealed record RequestStatusView(
    StudyNotice Notice,
    string RequestId,
    string Type,
    RequestState State,
    DateOnly ReceivedOn,
    DateOnly? DueDate,
    bool Extended,
    string? Outcome,
    string? Download,
    DateTimeOffset? DownloadExpiresOn,
    bool DownloadExpired);
