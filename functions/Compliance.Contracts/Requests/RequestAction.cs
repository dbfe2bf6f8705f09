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

    /// <summary>Runs again the workflow step that failed (<see cref="RequestStall"/>), once what made it fail is put right.</summary>
    public const string Retry = "retry";

    public static IReadOnlyList<string> All { get; } = [Approve, Refuse, Extend, Clarify, Resume, Note, ReissueCode, Retry];

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
        Retry => RequestActionKind.Retry,
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
    Retry,
}
