namespace Compliance.Studies;

/// <summary>A study in <c>GET /api/studies</c>: its dates on the way to deletion, and whether its sweep is due.</summary>
/// <remarks><c>deletionDate</c> is null until the report is published (the rule counts from publication).</remarks>
public sealed record StudySummary(string StudyId, string Title, DateOnly EndOfDataCollection, DateOnly? PublishedOn, DateOnly? DeletionDate, bool Due, string RetentionRule);

/// <summary>The answer to <c>GET /api/studies</c>.</summary>
public sealed record StudyList(IReadOnlyList<StudySummary> Studies);

/// <summary>The body of <c>POST /api/studies/{id}/publication</c>.</summary>
public sealed record PublicationRequest(string PublishedOn);
