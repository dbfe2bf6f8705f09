using System.Globalization;
using Compliance.Audit;

namespace Compliance.Requests;

/// <summary>
/// The audit events of a request's life. Ids and codes only: the request's type, channel and dates, never the requester's
/// email, name or words. Each carries an idempotency key made from the request id and the step, so a step that runs again
/// leaves one entry.
/// </summary>
public static class RequestAuditEvents
{
    /// <summary><c>request.received</c>: the request is recorded; the actor is whoever entered it (<c>participant</c> or a staff id).</summary>
    public static AuditEvent Received(DataSubjectRequestRecord request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(request.EnteredBy, AuditActions.RequestReceived)
        {
            StudyId = request.StudyId,
            RequestId = request.RequestId,
            Details = new Dictionary<string, string>
            {
                ["type"] = request.Type,
                ["channel"] = request.Channel,
                ["receivedAt"] = request.ReceivedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                ["identityConfirmed"] = request.IdentityConfirmed ? "true" : "false",
            },
            IdempotencyKey = $"{request.RequestId}:received",
        };
    }

    /// <summary><c>request.acknowledged</c>: the acknowledgement <paramref name="messageKey"/> is in the outbox.</summary>
    public static AuditEvent Acknowledged(DataSubjectRequestRecord request, string messageKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(AuditActors.System, AuditActions.RequestAcknowledged)
        {
            StudyId = request.StudyId,
            RequestId = request.RequestId,
            Details = new Dictionary<string, string> { ["message"] = messageKey },
            IdempotencyKey = $"{request.RequestId}:acknowledged",
        };
    }

    /// <summary>
    /// <c>request.discarded</c>: the request was recorded (and its receipt audited) but had to be removed again, for
    /// <paramref name="reason"/> (a code such as <c>workflow-not-started</c>). The log is append-only, so this says what became of it.
    /// </summary>
    public static AuditEvent Discarded(DataSubjectRequestRecord request, string reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(AuditActors.System, AuditActions.RequestDiscarded)
        {
            StudyId = request.StudyId,
            RequestId = request.RequestId,
            Details = new Dictionary<string, string> { ["reason"] = reason },
            IdempotencyKey = $"{request.RequestId}:discarded",
        };
    }

    /// <summary>
    /// Any other step of a request: <paramref name="action"/> by <paramref name="actor"/>, once per <paramref name="step"/>
    /// (the idempotency key is <c>{requestId}:{step}</c>), with ids and codes as details.
    /// </summary>
    public static AuditEvent Step(DataSubjectRequestRecord request, string action, string step, string actor = AuditActors.System, params (string Key, string Value)[] details)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(actor, action)
        {
            StudyId = request.StudyId,
            RequestId = request.RequestId,
            Details = details.Length == 0 ? null : details.ToDictionary(d => d.Key, d => d.Value),
            IdempotencyKey = $"{request.RequestId}:{step}",
        };
    }

    /// <summary>The longest audit detail value.</summary>
    public const int MaxValueLength = 256;

    /// <summary>
    /// A list of ids as one audit detail value: joined by '+', or <c>none</c> (detail values are never empty or spaced); a list
    /// longer than a value may be ends in <c>+more</c> after the ids that fit.
    /// </summary>
    public static string Ids(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        const string more = "+more";
        var joined = new System.Text.StringBuilder();
        foreach (var id in ids)
        {
            if (joined.Length + (joined.Length > 0 ? 1 : 0) + id.Length > MaxValueLength - more.Length)
            {
                return joined.Append(more).ToString();
            }

            joined.Append(joined.Length > 0 ? "+" : string.Empty).Append(id);
        }

        return joined.Length == 0 ? "none" : joined.ToString();
    }
}
