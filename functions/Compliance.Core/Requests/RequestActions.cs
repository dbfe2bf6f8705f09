namespace Compliance.Requests;

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
