using Compliance.Requests;

namespace Compliance.Console.Requests;

/// <summary>
/// The fields each DPO action's form has, named as the API's body (docs/api.md). Whether a field is required, and what it may
/// hold, is the API's rule: the form shows the API's own messages by field, so the rule is written once.
/// </summary>
public static class ActionFields
{
    public sealed record Field(string Name, string Label, string? Hint, bool IsExemption = false);

    public static IReadOnlyList<Field> Of(string action) => action switch
    {
        RequestAction.Refuse =>
        [
            new("exemption", "Exemption the refusal rests on", null, IsExemption: true),
            new("reason", "Reason", "Quoted in the refusal letter to the participant."),
        ],
        RequestAction.Extend => [new("reason", "Reason for the extension", "The participant is told the new date and this reason.")],
        RequestAction.Clarify => [new("question", "Question for the participant", "The clock pauses until they answer.")],
        RequestAction.Note => [new("text", "Note", "Recorded in the request's history and audit log; not sent to anyone.")],
        _ => [],
    };

    /// <summary>What the button of an action without fields does, in a sentence.</summary>
    public static string? Explain(string action) => action switch
    {
        RequestAction.Approve => "Carries the request out and tells the participant.",
        RequestAction.Resume => "Restarts the paused clock from today.",
        RequestAction.ReissueCode => "Emails the participant a new verification code.",
        RequestAction.Retry => "Runs the step that failed again, now.",
        _ => null,
    };
}
