namespace Compliance.Functions.Http;

/// <summary>A kind of problem the API answers with: the end of its <c>type</c> URI, the statuses it comes with, what it means.</summary>
public sealed record ProblemType(string Kind, IReadOnlyList<int> Statuses, string Meaning)
{
    /// <summary>The problem's <c>type</c>, as <see cref="ApiProblem"/> writes it.</summary>
    public string Uri => ApiProblem.TypePrefix + Kind;
}

/// <summary>
/// Every kind of problem <see cref="ApiProblem"/> is asked to build, the list the OpenAPI document and docs/api.md give. A
/// test holds it to the kinds the code names and to the table in docs/api.md, so a new kind cannot go unlisted.
/// </summary>
public static class ProblemTypes
{
    public static IReadOnlyList<ProblemType> All { get; } =
    [
        new("validation", [400], "fields or query parameters are wrong; 'errors' maps each bad one to what is wrong with it"),
        new("malformed-json", [400], "the body is not a JSON object"),
        new("empty-body", [400], "there is no body"),
        new("body-too-large", [400, 413], "the body is over the limit (checked before it is read whole); 413 for a raw email"),
        new("unsupported-content-type", [400], "the body is not application/json"),
        new("unsupported-media-type", [415], "a raw email without Content-Type: message/rfc822"),
        new("upload-incomplete", [400], "the upload broke off; nothing was kept"),
        new("invalid-code", [400], "a verification code that is wrong, expired or locked, or a request that does not exist"),
        new("unauthenticated", [401], "a staff route without a valid X-MS-CLIENT-PRINCIPAL"),
        new("forbidden", [403], "the principal has none of the route's roles"),
        new("not-found", [404], "no such resource, or no such route"),
        new("method-not-allowed", [405], "the route does not take this method"),
        new("conflict", [409], "it exists already, or was done already (a participant's email, a lifted hold, a completed task)"),
        new("action-not-possible", [409], "the DPO action does not fit the request as it stands"),
        new("not-failed", [409], "only an email whose sending failed can be resent"),
        new("no-transcript", [409], "the session has no transcript to anonymise"),
        new("rate-limited", [429], "too many anonymous requests from this client address or for this email address; Retry-After says when to try again"),
        new("unavailable", [503], "storage or the engine did not answer in time, the work could not be started, or the console is not built; nothing was kept, send again after Retry-After"),
        new("not-configured", [404], "the Graph mailbox connector is not configured, so its webhook takes nothing"),
        new("invalid-client-state", [403], "no Graph notification in the body carried the subscription's clientState; nothing was done"),
        new("invalid-notification", [400], "the body is not a Graph notification collection ({\"value\":[…]})"),
        new("invalid-validation-token", [400], "a Graph validation token that is empty or longer than 4096 characters"),
    ];

    /// <summary>The type of <paramref name="kind"/>; a kind not in <see cref="All"/> is a mistake in the caller.</summary>
    public static ProblemType Of(string kind) =>
        All.FirstOrDefault(t => t.Kind == kind) ?? throw new ArgumentException($"'{kind}' is not a problem kind of ProblemTypes.All.", nameof(kind));
}
