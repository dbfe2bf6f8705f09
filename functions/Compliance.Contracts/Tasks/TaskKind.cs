namespace Compliance.Tasks;

/// <summary>The kinds of manual task, the outcomes each accepts and the role that completes it.</summary>
public static class TaskKind
{
    /// <summary>A requester whose address matched no participant sent details; the DPO decides whether they are the participant.</summary>
    public const string IdentityCheck = "identity-check";

    /// <summary>An eligible withdrawal waits for the DPO's approval (or refusal, through the request's <c>refuse</c> action).</summary>
    public const string Approval = "approval";

    /// <summary>An objection, complaint or query for the DPO to handle and answer.</summary>
    public const string DpoReview = "dpo-review";

    /// <summary>An access request is due but a session of the participant has no transcript yet: a researcher uploads it.</summary>
    public const string TranscriptUpload = "transcript-upload";

    /// <summary>A withdrawn participant's voice is in a focus group's shared material: a researcher redacts their part.</summary>
    public const string Redaction = "redaction";

    /// <summary>The transcription supplier was told to delete a session's material (Art. 19): the DPO records its confirmation.</summary>
    public const string SupplierConfirmation = "supplier-confirmation";

    /// <summary>A rectification that did not say what to change: the DPO makes the change by hand.</summary>
    public const string Rectification = "rectification";

    /// <summary>A researcher recorded a safeguarding disclosure (break-glass): the DPO reviews it and the hold it placed.</summary>
    public const string SafeguardingReview = "safeguarding-review";

    /// <summary>An email whose request type the classifier could not tell: staff confirm the type (the outcome is the type) or say it is none.</summary>
    public const string MailTriage = "mail-triage";

    /// <summary>An email too large or too broken to read: kept in <c>mail-inbound</c>, for staff to read by hand.</summary>
    public const string MailQuarantine = "mail-quarantine";

    /// <summary>A reply to one of our emails that is not a code or a clarification's answer: staff read it and act.</summary>
    public const string MailReply = "mail-reply";

    /// <summary>An email of the request could not be sent after every attempt: staff find out why and send it again.</summary>
    public const string MailSendFailed = "mail-send-failed";

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Outcomes { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [IdentityCheck] = [TaskOutcome.Verified, TaskOutcome.NotVerified],
        [Approval] = [TaskOutcome.Approved],
        [DpoReview] = [TaskOutcome.Resolved],
        [TranscriptUpload] = [TaskOutcome.Uploaded],
        [Redaction] = [TaskOutcome.Redacted],
        [SupplierConfirmation] = [TaskOutcome.Confirmed],
        [Rectification] = [TaskOutcome.Done],
        [MailTriage] = [.. Requests.RequestType.All, TaskOutcome.NotARequest],
        [MailQuarantine] = [TaskOutcome.Done],
        [MailReply] = [TaskOutcome.Done],
        [SafeguardingReview] = [TaskOutcome.Reviewed],
        [MailSendFailed] = [TaskOutcome.Done],
    };

    /// <summary>What joins the request types of a triage's outcome that makes several requests (<c>access+withdraw</c>).</summary>
    public const char TypeSeparator = '+';

    /// <summary>
    /// Whether <paramref name="outcome"/> completes a task of <paramref name="kind"/>: one of its <see cref="Outcomes"/>, or,
    /// for a triage, several distinct request types joined by <see cref="TypeSeparator"/> (a message that asks two things
    /// makes two requests).
    /// </summary>
    public static bool Allows(string kind, string outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (Outcomes.GetValueOrDefault(kind, []).Contains(outcome))
        {
            return true;
        }

        var types = outcome.Split(TypeSeparator);
        return kind == MailTriage && types.Length > 1 && types.All(Requests.RequestType.IsValid) && types.Distinct(StringComparer.Ordinal).Count() == types.Length;
    }

    /// <summary>The request types a triage's outcome makes, in the order given (none for <see cref="TaskOutcome.NotARequest"/>).</summary>
    public static IReadOnlyList<string> RequestTypesOf(string outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome == TaskOutcome.NotARequest ? [] : outcome.Split(TypeSeparator);
    }

    /// <summary>Whether a workflow waits for tasks of <paramref name="kind"/> (a safeguarding review or a failed send is staff's alone).</summary>
    public static bool ResumesWorkflow(string kind) => kind is not (SafeguardingReview or MailSendFailed);

    /// <summary>The role that completes a task of <paramref name="kind"/>.</summary>
    public static string AssigneeOf(string kind) => kind is TranscriptUpload or Redaction ? Identity.Role.Researcher : Identity.Role.Dpo;
}

/// <summary>Outcomes of manual tasks.</summary>
public static class TaskOutcome
{
    public const string Verified = "verified";
    public const string NotVerified = "not-verified";
    public const string Approved = "approved";
    public const string Resolved = "resolved";
    public const string Uploaded = "uploaded";
    public const string Redacted = "redacted";
    public const string Confirmed = "confirmed";
    public const string Done = "done";

    /// <summary>The DPO has reviewed a safeguarding disclosure.</summary>
    public const string Reviewed = "reviewed";

    /// <summary>A triaged email asks for nothing the notice covers: no request is made.</summary>
    public const string NotARequest = "not-a-request";

    /// <summary>Set by the system on the open tasks of a request that was refused: nothing is left to do.</summary>
    public const string Cancelled = "cancelled";
}
