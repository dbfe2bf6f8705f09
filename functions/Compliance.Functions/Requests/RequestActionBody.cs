using Compliance.Functions.Http;
using Compliance.Requests;

namespace Compliance.Functions.Requests;

/// <summary>The body of a DPO action (<c>POST /api/requests/{id}/{action}</c>): what each action takes, and its rules.</summary>
/// <param name="Reason">Why: for <c>refuse</c> and <c>extend</c>.</param>
/// <param name="Exemption">The ground of a refusal (<see cref="RefusalExemption"/>).</param>
/// <param name="Text">The question of a <c>clarify</c>, the text of a <c>note</c>.</param>
public sealed record RequestActionBody(string? Reason, string? Exemption, string? Text)
{
    private const int MaxTextLength = 4000;

    private static readonly RequestActionBody None = new(null, null, null);

    /// <summary>The schema of <paramref name="kind"/>'s body; actions without fields take an empty object.</summary>
    public static BodySchema<RequestActionBody> For(RequestActionKind kind) => kind switch
    {
        RequestActionKind.Refuse => new(
            ["reason", "exemption"],
            f => new(
                f.Text("reason", required: true, MaxTextLength),
                f.Text("exemption", required: true, 64, RefusalExemption.IsKnown, $"must be one of: {string.Join(", ", RefusalExemption.All)}."),
                null)),
        RequestActionKind.Extend => new(["reason"], f => new(f.Text("reason", required: true, MaxTextLength), null, null)),
        RequestActionKind.Clarify => new(["question"], f => new(null, null, f.Text("question", required: true, MaxTextLength))),
        RequestActionKind.Note => new(["text"], f => new(null, null, f.Text("text", required: true, MaxTextLength))),
        _ => new([], _ => None),
    };

    /// <summary>The action as stored beside its request.</summary>
    public RequestActionRecord ToRecord(string requestId, string actionId, string action, string actor, DateTimeOffset at) => new()
    {
        RequestId = requestId,
        ActionId = actionId,
        Action = action,
        Actor = actor,
        At = at,
        Reason = Reason,
        Exemption = Exemption,
        Text = Text,
    };
}
