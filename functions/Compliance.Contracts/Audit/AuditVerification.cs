namespace Compliance.Audit;

/// <summary>The result of <c>AuditLog.VerifyAsync</c>: whether every chain is intact and, where not, the first problem of each broken chain.</summary>
/// <param name="Valid">True when no chain has a problem.</param>
/// <param name="ChainsChecked">How many chains were walked.</param>
/// <param name="EntriesChecked">How many entries were read.</param>
/// <param name="Problems">The first problem of each chain that has one, by chain id.</param>
/// <param name="CheckedAt">When the verification started.</param>
/// <param name="AnchorsChecked">How many anchors (chain heads copied to write-once storage) the chains were checked against.</param>
public sealed record AuditVerification(bool Valid, int ChainsChecked, long EntriesChecked, IReadOnlyList<AuditProblem> Problems, DateTimeOffset CheckedAt, int AnchorsChecked = 0);

/// <summary>The first thing wrong with one chain.</summary>
/// <param name="Chain">The chain id.</param>
/// <param name="Sequence">Where it is wrong: the entry's position (for <c>missing</c>, the first absent position; for <c>head-mismatch</c>, the last position the head names).</param>
/// <param name="Kind">One of <see cref="AuditProblemKind"/>.</param>
/// <param name="Detail">What was found, in words; ids and hashes only.</param>
public sealed record AuditProblem(string Chain, long Sequence, string Kind, string Detail);

/// <summary>The kinds of <see cref="AuditProblem"/>; docs/audit.md says what each means and what to do.</summary>
public static class AuditProblemKind
{
    /// <summary>An entry's stored hash is not the hash of its stored content: the entry was changed after it was written.</summary>
    public const string Tampered = "tampered";

    /// <summary>A position in the chain has no entry: an entry was deleted.</summary>
    public const string Missing = "missing";

    /// <summary>An intact entry sits at a position (or in a chain) other than the one it was written at: entries were moved or swapped.</summary>
    public const string Reordered = "reordered";

    /// <summary>An entry's previous hash is not the hash of the entry before it: an entry before it was replaced by a rewritten one.</summary>
    public const string BrokenLink = "broken-link";

    /// <summary>The chain's head row does not name the last entry (or is missing): the last entries were deleted, or entries added past it.</summary>
    public const string HeadMismatch = "head-mismatch";

    /// <summary>
    /// The chain disagrees with an anchor (its head as copied to write-once storage): the anchored position holds another entry,
    /// or no longer exists, or the whole chain is gone. The chain was rewritten after it was anchored, even if every hash in it
    /// is consistent.
    /// </summary>
    public const string AnchorMismatch = "anchor-mismatch";
}
