namespace Compliance.Requests;

/// <summary>The kinds of data-subject request PRODUCT.md names, with their wire names.</summary>
public static class RequestType
{
    public const string Access = "access";
    public const string Withdraw = "withdraw";
    public const string EraseContact = "erase-contact";
    public const string RectifyContact = "rectify-contact";
    public const string OptOut = "opt-out";
    public const string Objection = "object";
    public const string Complaint = "complaint";
    public const string Query = "query";

    /// <summary>Every request type, as it is written on the wire.</summary>
    public static IReadOnlyList<string> All { get; } = [Access, Withdraw, EraseContact, RectifyContact, OptOut, Objection, Complaint, Query];

    /// <summary>Whether <paramref name="value"/> is a request type (exact, lower case).</summary>
    public static bool IsValid(string? value) => value is not null && All.Contains(value, StringComparer.Ordinal);

    /// <summary>The type a stored or sent name stands for.</summary>
    /// <exception cref="ArgumentException">The name is no request type.</exception>
    public static RequestKind KindOf(string wire) => wire switch
    {
        Access => RequestKind.Access,
        Withdraw => RequestKind.Withdraw,
        EraseContact => RequestKind.EraseContact,
        RectifyContact => RequestKind.RectifyContact,
        OptOut => RequestKind.OptOut,
        Objection => RequestKind.Objection,
        Complaint => RequestKind.Complaint,
        Query => RequestKind.Query,
        _ => throw new ArgumentException($"'{wire}' is not a request type.", nameof(wire)),
    };
}

/// <summary>The kinds of data-subject request as a type; <see cref="RequestType"/> holds their wire names.</summary>
public enum RequestKind
{
    Access,
    Withdraw,
    EraseContact,
    RectifyContact,
    OptOut,
    Objection,
    Complaint,
    Query,
}

/// <summary>How a request reached the research team.</summary>
public static class RequestChannel
{
    public const string Web = "web";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Letter = "letter";

    /// <summary>Every channel, as it is written on the wire.</summary>
    public static IReadOnlyList<string> All { get; } = [Web, Email, Phone, Letter];

    /// <summary>Whether <paramref name="value"/> is a channel (exact, lower case).</summary>
    public static bool IsValid(string? value) => value is not null && All.Contains(value, StringComparer.Ordinal);
}

/// <summary>Where a request stands in its workflow.</summary>
public static class RequestStatus
{
    /// <summary>Recorded at receipt; its workflow has been started.</summary>
    public const string Received = "received";

    /// <summary>The acknowledgement has been written to the outbox.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>A code went to the address held for the participant; the clock waits for it.</summary>
    public const string AwaitingVerification = "awaiting-verification";

    /// <summary>The requester was asked for details only a participant would know; the DPO decides.</summary>
    public const string AwaitingIdentityCheck = "awaiting-identity-check";

    /// <summary>Identity could not be confirmed in the policy's time: closed with a notice, nothing done.</summary>
    public const string ClosedUnverified = "closed-unverified";

    /// <summary>The statutory clock runs: the due date is set.</summary>
    public const string InProgress = "in-progress";

    /// <summary>The DPO asked the requester for clarification: the clock is stopped until the answer (or <c>resume</c>).</summary>
    public const string Paused = "paused";

    /// <summary>A new email address was given: a code went to it, and it replaces the old one only once confirmed.</summary>
    public const string AwaitingAddressConfirmation = "awaiting-address-confirmation";

    /// <summary>Done: the outcome was sent to the requester.</summary>
    public const string Completed = "completed";

    /// <summary>Refused, with the reason, the exemption and the right to complain to the ICO.</summary>
    public const string Refused = "refused";

    /// <summary>A second open request of the same type from the same participant: linked to the first, no workflow of its own.</summary>
    public const string Duplicate = "duplicate";

    public static IReadOnlyList<string> All { get; } =
        [Received, Acknowledged, AwaitingVerification, AwaitingIdentityCheck, ClosedUnverified, InProgress, Paused, AwaitingAddressConfirmation, Completed, Refused, Duplicate];

    /// <summary>Statuses after which a request is no longer open.</summary>
    public static IReadOnlySet<string> Closed { get; } = new HashSet<string>(StringComparer.Ordinal) { ClosedUnverified, Duplicate, Completed, Refused };

    public static bool IsOpen(string status) => !Closed.Contains(status);

    private static readonly (RequestState State, string Wire)[] Names =
    [
        (RequestState.Received, Received), (RequestState.Acknowledged, Acknowledged), (RequestState.AwaitingVerification, AwaitingVerification),
        (RequestState.AwaitingIdentityCheck, AwaitingIdentityCheck), (RequestState.ClosedUnverified, ClosedUnverified), (RequestState.InProgress, InProgress),
        (RequestState.Paused, Paused), (RequestState.AwaitingAddressConfirmation, AwaitingAddressConfirmation), (RequestState.Completed, Completed),
        (RequestState.Refused, Refused), (RequestState.Duplicate, Duplicate),
    ];

    /// <summary>The status a stored or sent name stands for.</summary>
    /// <exception cref="ArgumentException">The name is no status.</exception>
    public static RequestState StateOf(string wire) =>
        Names.FirstOrDefault(n => n.Wire == wire) is { Wire: not null } found ? found.State : throw new ArgumentException($"'{wire}' is not a request status.", nameof(wire));

    /// <summary>How <paramref name="state"/> is stored and sent.</summary>
    public static string WireName(RequestState state) => Names.First(n => n.State == state).Wire;
}

/// <summary>Where a request stands in its workflow, as a type; <see cref="RequestStatus"/> holds the names stored and sent.</summary>
public enum RequestState
{
    Received,
    Acknowledged,
    AwaitingVerification,
    AwaitingIdentityCheck,
    ClosedUnverified,
    InProgress,
    Paused,
    AwaitingAddressConfirmation,
    Completed,
    Refused,
    Duplicate,
}
