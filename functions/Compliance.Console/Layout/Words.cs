using System.Globalization;
using Compliance.Requests;
using StaffRole = Compliance.Identity.Role;
using States = Compliance.Requests.DueState;
using Kinds = Compliance.Tasks.TaskKind;
using Outcomes = Compliance.Tasks.TaskOutcome;
using Reasons = Compliance.Retention.SweepStartReason;
using Standings = Compliance.Suppliers.SupplierStanding;
using SweepStates = Compliance.Retention.SweepState;

namespace Compliance.Console.Layout;

/// <summary>The console's words for the API's wire values, for staff: one place, so every screen says the same.</summary>
public static class Words
{
    // The console runs with invariant globalization (no culture data to download): the invariant culture's names are English.
    private static readonly CultureInfo English = CultureInfo.InvariantCulture;

    private static readonly TimeZoneInfo UkZone = FindUkZone();

    public static string Role(string role) => role switch
    {
        StaffRole.Dpo => "DPO",
        StaffRole.Researcher => "Researcher",
        StaffRole.OnsAnalyst => "ONS analyst",
        StaffRole.Transcriber => "Transcriber",
        StaffRole.Admin => "Administrator",
        _ => role,
    };

    public static string Type(string type) => type switch
    {
        RequestType.Access => "Access (anonymised transcript)",
        RequestType.Withdraw => "Withdrawal",
        RequestType.EraseContact => "Erase contact details",
        RequestType.RectifyContact => "Update contact details",
        RequestType.OptOut => "Opt out of contact",
        RequestType.Objection => "Objection",
        RequestType.Complaint => "Complaint",
        RequestType.Query => "Query",
        _ => type,
    };

    public static string Status(string status) => status switch
    {
        RequestStatus.Received => "Received",
        RequestStatus.Acknowledged => "Acknowledged",
        RequestStatus.AwaitingVerification => "Awaiting code",
        RequestStatus.AwaitingIdentityCheck => "Awaiting identity check",
        RequestStatus.ClosedUnverified => "Closed: identity not confirmed",
        RequestStatus.InProgress => "In progress",
        RequestStatus.Paused => "Paused",
        RequestStatus.AwaitingAddressConfirmation => "Awaiting address confirmation",
        RequestStatus.Completed => "Completed",
        RequestStatus.Refused => "Refused",
        RequestStatus.Duplicate => "Duplicate",
        _ => status,
    };

    public static string Channel(string channel) => channel switch
    {
        RequestChannel.Web => "Web portal",
        RequestChannel.Email => "Email",
        RequestChannel.Phone => "Phone",
        RequestChannel.Letter => "Letter",
        _ => channel,
    };

    /// <summary>The queue's red, amber and green, in words (the colour is never the only sign).</summary>
    public static string DueState(string? state) => state switch
    {
        States.Overdue => "Overdue",
        States.DueSoon => "Due soon",
        States.OnTime => "On time",
        _ => "Closed",
    };

    public static string Exemption(string code) => code switch
    {
        RefusalExemption.Research => "Research exemption",
        RefusalExemption.ManifestlyUnfounded => "Manifestly unfounded",
        RefusalExemption.Excessive => "Manifestly excessive",
        _ => code,
    };

    public static string Action(string action) => action switch
    {
        RequestAction.Approve => "Approve",
        RequestAction.Refuse => "Refuse",
        RequestAction.Extend => "Extend the deadline",
        RequestAction.Clarify => "Ask for clarification",
        RequestAction.Resume => "Resume the clock",
        RequestAction.Note => "Add a note",
        RequestAction.ReissueCode => "Send a new code",
        RequestAction.Retry => "Retry the failed step",
        _ => action,
    };

    /// <summary>A workflow step, named by its activity, as the DPO would say it; an unknown one by its name.</summary>
    public static string Step(string activity) => activity switch
    {
        "PrepareRequest" => "preparing the request",
        "LinkDuplicate" => "linking the request to the open one it repeats",
        "AcknowledgeRequest" => "sending the acknowledgement",
        "SendVerificationCode" => "sending the verification code",
        "SendVerificationReminder" => "reminding the participant of their code",
        "AskForIdentityDetails" => "asking for identity details",
        "CloseUnverified" => "closing the unverified request",
        "StartClock" => "starting the clock",
        "CreateTask" => "creating a task",
        "ApplyRequestAction" => "carrying out your action",
        "RemindDpo" => "reminding you of the deadline",
        "SendOutcome" => "sending the outcome",
        "RecoverStall" => "recording the recovery",
        _ => activity,
    };

    /// <summary>A stall in a sentence: the step, since when, how often it failed, and what happens next.</summary>
    public static string Stall(RequestStall stall)
    {
        ArgumentNullException.ThrowIfNull(stall);
        var rounds = stall.Failures == 1 ? "once" : $"{stall.Failures} times";
        return $"The step “{Step(stall.Step)}” has failed {rounds} since {Time(stall.Since)} ({stall.Error}), each time after its own retries. " +
            $"The workflow waits and tries it again by itself every {(RequestStall.RetryEvery == TimeSpan.FromHours(1) ? "hour" : $"{RequestStall.RetryEvery.TotalHours:0.#} hours")}; put right what made it fail, then retry it now.";
    }

    public static string EmailState(string state) => state switch
    {
        Compliance.Mail.EmailStates.Pending => "Waiting to be sent",
        Compliance.Mail.EmailStates.Sending => "Sending",
        Compliance.Mail.EmailStates.Sent => "Sent",
        Compliance.Mail.EmailStates.Failed => "Sending failed",
        Compliance.Mail.EmailStates.Received => "Received",
        _ => state,
    };

    /// <summary>Where an email's sending stands, in a phrase: when it went, or the attempts and what comes next.</summary>
    public static string EmailProgress(Compliance.Mail.EmailView email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.State switch
        {
            Compliance.Mail.EmailStates.Sent when email.SentAt is { } sent => $"on {Time(sent)}",
            Compliance.Mail.EmailStates.Failed => $"after {email.Attempts} attempts{(email.FailedAt is { } failed ? $", on {Time(failed)}" : "")}: it will not be tried again unless resent",
            Compliance.Mail.EmailStates.Pending when email.Attempts > 0 => $"{email.Attempts} attempts so far{(email.NextAttemptAt is { } next ? $"; next at {Time(next)}" : "")}",
            _ => "",
        };
    }

    public static string TaskKind(string kind) => kind switch
    {
        Kinds.IdentityCheck => "Check identity",
        Kinds.Approval => "Approve a withdrawal",
        Kinds.DpoReview => "Handle and answer",
        Kinds.TranscriptUpload => "Upload a transcript",
        Kinds.Redaction => "Redact a focus group",
        Kinds.SupplierConfirmation => "Record the supplier's deletion",
        Kinds.Rectification => "Change contact details by hand",
        Kinds.SafeguardingReview => "Review a safeguarding disclosure",
        Kinds.MailTriage => "Triage an email",
        Kinds.MailQuarantine => "Read a quarantined email",
        Kinds.MailReply => "Read a reply",
        Kinds.MailSendFailed => "An email could not be sent",
        _ => kind,
    };

    /// <summary>A task's outcome in words; a triage task's outcomes are the request types.</summary>
    /// <summary>Why a task was made, when its kind does not say it all (a triage's reason).</summary>
    public static string TaskReason(string reason) => reason switch
    {
        Compliance.Mail.Intake.TriageWhy.Uncertain => "Requests were found, but not surely enough to act on alone: choose the type",
        Compliance.Mail.Intake.TriageWhy.NoIntent => "No request the rules know was found: read it and say what it asks",
        Compliance.Mail.Intake.TriageWhy.TooLong => "Too long for the rules to read whole",
        Compliance.Mail.Intake.TriageWhy.AwaySubject => "Its subject reads as an out-of-office reply, but a person wrote it and it asks for something",
        _ => reason,
    };

    public static string Outcome(string outcome) => outcome switch
    {
        Outcomes.Verified => "Verified: they are the participant",
        Outcomes.NotVerified => "Not verified",
        Outcomes.Approved => "Approved",
        Outcomes.Resolved => "Resolved",
        Outcomes.Uploaded => "Uploaded",
        Outcomes.Redacted => "Redacted",
        Outcomes.Confirmed => "Confirmed",
        Outcomes.Done => "Done",
        Outcomes.Reviewed => "Reviewed",
        Outcomes.NotARequest => "Not a request",
        Outcomes.Cancelled => "Cancelled",
        _ when RequestType.IsValid(outcome) => Type(outcome),
        _ when outcome.Contains(Kinds.TypeSeparator, StringComparison.Ordinal) => string.Join(" and ", Kinds.RequestTypesOf(outcome).Select(Type)),
        _ => outcome,
    };

    public static string HoldKind(string kind) => kind switch
    {
        global::Compliance.Retention.HoldKind.Legal => "Legal hold",
        global::Compliance.Retention.HoldKind.Safeguarding => "Safeguarding hold",
        _ => kind,
    };

    public static string HoldScope(string scope) => scope switch
    {
        global::Compliance.Retention.HoldScope.Participant => "Participant",
        global::Compliance.Retention.HoldScope.Session => "Session",
        global::Compliance.Retention.HoldScope.Study => "The whole study",
        _ => scope,
    };

    /// <summary>Where a study's sweep stands, in a sentence.</summary>
    public static string Sweep(global::Compliance.Retention.SweepView sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return sweep.State switch
        {
            SweepStates.None => "No sweep has run for this study.",
            SweepStates.Running => $"A sweep is running: {sweep.Step ?? "starting"}{(sweep.Batches > 0 ? $", {sweep.BatchesDone} of {sweep.Batches} batches deleted" : "")}.",
            SweepStates.Completed when sweep.Outcome == Reasons.NotDue => "The last sweep found the study not yet due.",
            SweepStates.Completed => $"The last sweep ({sweep.Outcome}) deleted {Count(sweep.Deleted, "item")}{(sweep.HeldBlobs > 0 ? $" and kept {Count(sweep.HeldBlobs, "item")} under holds" : "")}{(sweep.StillPresent > 0 ? $"; {Count(sweep.StillPresent, "item")} still present afterwards" : "")}{(sweep.UpdatedAt is { } at ? $", on {Time(at)}" : "")}.",
            _ => "The last sweep failed; run it again: each step is safe to repeat.",
        };
    }

    /// <summary>Why <c>POST /api/retention/run</c> did not start a sweep.</summary>
    public static string SweepNotStarted(string reason) => reason switch
    {
        Reasons.NoPublicationDate => "the report's publication date is not recorded yet.",
        Reasons.NotDue => "the deletion date has not come yet.",
        Reasons.AlreadyRunning => "a sweep is already running.",
        _ => reason,
    };

    /// <summary><paramref name="n"/> and the noun, plural unless one: "1 item", "3 items".</summary>
    public static string Count(long n, string noun) =>
        n == 1 ? $"1 {noun}" : $"{n} {(noun.Length > 1 && noun[^1] == 'y' && !"aeiou".Contains(noun[^2], StringComparison.Ordinal) ? noun[..^1] + "ies" : noun + "s")}";

    /// <summary>Under what a certificate's deletion was made.</summary>
    public static string CertificateAuthority(string kind, string? requestId) => kind switch
    {
        "retention" => "The study's retention rule (a sweep)",
        "request" => $"Request {requestId}",
        _ => kind,
    };

    public static string Recipient(string recipient) => recipient switch
    {
        Compliance.Retention.DisclosureRecipient.Ons => "ONS",
        Compliance.Retention.DisclosureRecipient.Police => "The police",
        Compliance.Retention.DisclosureRecipient.LocalAuthority => "A local authority",
        Compliance.Retention.DisclosureRecipient.HealthProfessional => "A health professional",
        Compliance.Retention.DisclosureRecipient.Other => "Someone else",
        _ => recipient,
    };

    public static string SessionKind(string kind) => kind switch
    {
        Compliance.Studies.SessionKind.FocusGroup => "Focus group",
        Compliance.Studies.SessionKind.Interview => "Interview",
        _ => kind,
    };

    public static string ArtifactKind(string kind) => kind switch
    {
        Compliance.Studies.ArtifactKind.Recording => "Recording",
        Compliance.Studies.ArtifactKind.Transcript => "Transcript",
        Compliance.Studies.ArtifactKind.Notes => "Notes",
        Compliance.Studies.ArtifactKind.AnonymisedTranscript => "Anonymised transcript (for ONS)",
        _ => kind,
    };

    /// <summary>What an anonymisation removed and what to do next, in a sentence.</summary>
    public static string Prepared(Compliance.Anonymisation.PreparedTranscript prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var removed = prepared.Removals.Count == 0
            ? "nothing needed removing"
            : string.Join(", ", prepared.Removals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} × {r.Key}"));
        return $"Anonymised transcript {prepared.Transcript.ArtifactId} is ready for ONS analysts: {Count(prepared.TurnsKept, "turn")} kept; removed: {removed}." +
            (prepared.Replaced > 0 ? " It replaces the earlier copy." : "") +
            (prepared.NeedsReview ? " Some turns could not be attributed to a speaker: read it through before it is relied on." : "");
    }

    public static string Bytes(long size) => size switch
    {
        < 1024 => $"{size} bytes",
        < 1024 * 1024 => $"{size / 1024.0:0.#} KB",
        _ => $"{size / (1024.0 * 1024):0.#} MB",
    };

    /// <summary>A supplier's standing in words (a current contract about to lapse is flagged).</summary>
    public static string Standing(string standing, bool warn) => standing switch
    {
        Standings.Current => warn ? "Current, renew soon" : "Current",
        Standings.NotApproved => "Not approved",
        Standings.NoContract => "No contract",
        Standings.Lapsed => "Contract lapsed: suspended",
        Standings.Suspended => "Suspended",
        _ => standing,
    };

    /// <summary>"in 12 days", "today", "3 days ago".</summary>
    public static string DaysFromToday(int days) => days switch
    {
        0 => "today",
        > 0 => $"in {Count(days, "day")}",
        _ => $"{Count(-days, "day")} ago",
    };

    /// <summary>A history event's wire name in words: <c>dpo-refused</c> → "Dpo refused".</summary>
    public static string Event(string name) =>
        name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..].Replace('-', ' ');

    public static string Date(DateOnly? date) => date?.ToString("d MMMM yyyy", English) ?? "–";

    /// <summary>A moment in UK time, as the deadlines are reckoned.</summary>
    public static string Time(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, UkZone).ToString("d MMM yyyy, HH:mm", English);

    private static TimeZoneInfo FindUkZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }
}
