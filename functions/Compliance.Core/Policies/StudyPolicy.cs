namespace Compliance.Policies;

/// <summary>
/// A study's privacy notice as policy: every promise, number and date the workflows act on. Loaded from a file under
/// <c>policies/</c> (see docs/policy.md); code holds none of these values.
/// </summary>
public sealed record StudyPolicy
{
    /// <summary>The version of this policy file; bump it whenever a value changes.</summary>
    public required string PolicyVersion { get; init; }
    public required NoticeInfo Notice { get; init; }

    /// <summary>The study in plain words, for pages and emails participants read.</summary>
    public required StudyInfo Study { get; init; }

    /// <summary>The research team that signs participants' emails; its name is shown with the research mailbox.</summary>
    public required TeamInfo Team { get; init; }
    public required Organisation Controller { get; init; }
    public required Organisation Processor { get; init; }

    /// <summary>The mailbox participants write to, and that emails come from.</summary>
    public required string ResearchMailbox { get; init; }
    public required DpoContact Dpo { get; init; }
    public required IcoContact Ico { get; init; }
    public required AccessPolicy Access { get; init; }
    public required WithdrawalPolicy Withdrawal { get; init; }
    public required RetentionPolicy Retention { get; init; }
    public required SupplierPolicy Suppliers { get; init; }
    public required VerificationPolicy Verification { get; init; }
    public required DeadlinePolicy Deadlines { get; init; }
    public required HistoryPolicy History { get; init; }

    /// <summary>Names (organisations, places, people) that anonymisation removes besides the participants' own details.</summary>
    public IReadOnlyList<string> RedactionList { get; init; } = [];
}

/// <summary>The privacy notice participants were given.</summary>
public sealed record NoticeInfo(string Title, string Version);

/// <summary>The study as participants know it: its name, and in a sentence or two why their data is held and what it is used for.</summary>
public sealed record StudyInfo(string Name, string Purpose);

/// <summary>The research team participants deal with: it signs every email to them and is the name shown with the research mailbox.</summary>
public sealed record TeamInfo(string Name);

/// <summary>An organisation named in the notice (controller, processor).</summary>
public sealed record Organisation(string Name, string? Email);

/// <summary>The Data Protection Officer's contact details, as the notice gives them.</summary>
public sealed record DpoContact(string Name, string Organisation, string Address, string Email);

/// <summary>The Information Commissioner's Office, whose details every refusal and complaint acknowledgement carries.</summary>
public sealed record IcoContact(string Name, string Address, string Helpline, string Website, string? LiveChat);

/// <summary>"You may request your interview data … in an anonymised transcript N days after the session."</summary>
public sealed record AccessPolicy(Period TranscriptAvailableAfterSession, Period ExportLinkValidFor);

/// <summary>"You may request for your input to be removed … only possible before" the cut-off, and before analysis.</summary>
public sealed record WithdrawalPolicy(DateOnly CutOff, string CutOffRule)
{
    /// <summary>The only rule the notice uses: the clock must start strictly before the cut-off date.</summary>
    public const string Before = "before";

    /// <summary>Whether a request whose clock started on <paramref name="clockStart"/> is in time.</summary>
    public bool IsInTime(DateOnly clockStart) => clockStart < CutOff;
}

/// <summary>"All data stored by NatCen will be deleted once the report has been published … within N months from end of data collection."</summary>
public sealed record RetentionPolicy(Period DeleteAfterPublication, Period PublicationPromisedWithin, Period WarnBefore, Period PromiseAlertRepeat);

/// <summary>
/// Supplier contracts "refreshed every 12 months": access lapses at signing + term; the DPO is warned before. A supplier told
/// to delete material has <see cref="ConfirmDeletionWithin"/> to confirm before a deletion certificate records it as unconfirmed.
/// </summary>
public sealed record SupplierPolicy(Period ContractTerm, Period WarnBefore, Period ConfirmDeletionWithin)
{
    /// <summary>The default of <c>suppliers.confirmDeletionWithin</c>, for policy files written before it existed.</summary>
    public static readonly Period DefaultConfirmDeletionWithin = new(30, PeriodUnit.Days);

    /// <summary>Until when a supplier told at <paramref name="toldAt"/> has to confirm its deletion.</summary>
    public DateTimeOffset ConfirmBy(DateTimeOffset toldAt) => new(ConfirmDeletionWithin.AddTo(toldAt.UtcDateTime), TimeSpan.Zero);
}

/// <summary>Proportionate identity verification of requests that disclose or change data.</summary>
public sealed record VerificationPolicy(Period CodeValidFor, Period ReminderAfter, int MaxAttempts, Period CloseUnverifiedAfter);

/// <summary>Reminders to the DPO before a request's due date, and escalation while it is overdue.</summary>
public sealed record DeadlinePolicy(IReadOnlyList<Period> RemindBefore, Period EscalateEvery);

/// <summary>How long finished workflow histories are kept in the task hub.</summary>
public sealed record HistoryPolicy(Period PurgeCompletedAfter);
