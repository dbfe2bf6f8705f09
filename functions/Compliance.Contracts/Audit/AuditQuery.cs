namespace Compliance.Audit;

/// <summary>The answer to <c>GET /api/audit</c>.</summary>
/// <param name="Entries">The entries, a study's in chain order, a request's (which may span chains) by time, then chain, then sequence.</param>
/// <param name="Count">How many entries this answer holds.</param>
/// <param name="Limit">The limit that applied.</param>
/// <param name="Truncated">Whether more entries matched than the limit allowed.</param>
/// <param name="Continuation">Sent back as <c>continuation</c> with the same filters, the next page; null on the last.</param>
public sealed record AuditQueryResponse(IReadOnlyList<AuditEntry> Entries, int Count, int Limit, bool Truncated, string? Continuation = null);
