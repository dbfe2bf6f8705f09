namespace Compliance.Requests;

/// <summary>What the DPO can do to a request (<c>POST /api/requests/{id}/{action}</c>), with their wire names.</summary>
public static class RequestAction
{
    public const string Approve = "approve";
    public const string Refuse = "refuse";
    public const string Extend = "extend";
    public const string Clarify = "clarify";
    public const string Resume = "resume";
    public const string Note = "note";

    /// <summary>Issues a new verification code after the old one expired or was locked by wrong attempts.</summary>
    public const string ReissueCode = "reissue-code";

    public static IReadOnlyList<string> All { get; } = [Approve, Refuse, Extend, Clarify, Resume, Note, ReissueCode];

    public static bool IsValid(string? value) => value is not null && All.Contains(value, StringComparer.Ordinal);

    /// <summary>The action a wire name names, or null for a name that is none.</summary>
    public static RequestActionKind? KindOf(string? value) => value switch
    {
        Approve => RequestActionKind.Approve,
        Refuse => RequestActionKind.Refuse,
        Extend => RequestActionKind.Extend,
        Clarify => RequestActionKind.Clarify,
        Resume => RequestActionKind.Resume,
        Note => RequestActionKind.Note,
        ReissueCode => RequestActionKind.ReissueCode,
        _ => null,
    };
}

/// <summary>The DPO's actions as a type; <see cref="RequestAction"/> holds their wire names.</summary>
public enum RequestActionKind
{
    Approve,
    Refuse,
    Extend,
    Clarify,
    Resume,
    Note,
    ReissueCode,
}

/// <summary>
/// An action the DPO took on a request, as stored beside it. Its free text (reason, question, note) is kept here and in the
/// emails built from it; the workflow sees only the action's id and kind.
/// </summary>
public sealed record RequestActionRecord
{
    public required string RequestId { get; init; }
    public required string ActionId { get; init; }
    public required string Action { get; init; }
    public required string Actor { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Why: for <c>refuse</c> and <c>extend</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>The ground of a refusal (<see cref="RefusalExemption"/>).</summary>
    public string? Exemption { get; init; }

    /// <summary>What the requester is asked, for <c>clarify</c>; the text of a <c>note</c>.</summary>
    public string? Text { get; init; }

    /// <summary>Set by the workflow once it has acted: <c>applied</c>, or <c>rejected</c> with why.</summary>
    public string? Result { get; init; }
}

/// <summary>A decision on a request (approve or refuse): who reviewed it, when, and on what ground.</summary>
public sealed record RequestDecision(string Decision, string Reviewer, DateTimeOffset DecidedAt, string? Exemption, string? Reason)
{
    public const string Approved = "approved";
    public const string Refused = "refused";
}
