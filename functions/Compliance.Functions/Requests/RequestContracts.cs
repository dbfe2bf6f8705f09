namespace Compliance.Functions.Requests;

// Wire contracts of the DataSubjectRequest orchestration. In-flight instances deserialize these on replay, so change them
// only by adding optional members. They carry ids only: never a name, an email address or free text.

/// <summary>The input of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowInput(string RequestId);

/// <summary>The output of a <c>DataSubjectRequest</c> orchestration.</summary>
public sealed record RequestWorkflowResult(string RequestId, string Status);

/// <summary>The custom status of a running <c>DataSubjectRequest</c> orchestration: the step it is at.</summary>
public sealed record RequestWorkflowStatus(string Step);

/// <summary>The input of <c>AcknowledgeRequest</c>: which request, and the orchestration's time for the history entry.</summary>
public sealed record AcknowledgeRequestInput(string RequestId, DateTimeOffset At);

/// <summary>The output of <c>AcknowledgeRequest</c>: where the acknowledgement is, and whether this attempt wrote it.</summary>
public sealed record AcknowledgeRequestResult(string OutboxBlobName, bool Written);
