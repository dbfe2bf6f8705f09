using Compliance.Mail;
using Compliance.Requests;

namespace Compliance.Portal.Requests;

/// <summary>A request's status and outcome in plain words, for the requester's private page.</summary>
public static class StatusWords
{
    /// <summary>A short label and a sentence for the request's state.</summary>
    public static (string Label, string Sentence) Of(RequestState state) => state switch
    {
        RequestState.Received or RequestState.Acknowledged => ("Received", "We have your request and will be in touch by email."),
        RequestState.AwaitingVerification => ("Waiting for your code", "We have emailed a code to the address we hold for you. Enter it to confirm the request is yours."),
        RequestState.AwaitingIdentityCheck => ("Checking it is you", "We have emailed you to ask for details that only a participant would know. Reply to that email."),
        RequestState.ClosedUnverified => ("Closed", "We could not confirm that the request was yours, so we closed it. You can make a new request at any time."),
        RequestState.InProgress => ("In progress", "We are working on your request."),
        RequestState.Paused => ("Waiting for your reply", "We have emailed you a question. The time limit is paused until you reply."),
        RequestState.AwaitingAddressConfirmation => ("Waiting for you to confirm your new address", "We have emailed a code to your new address. Enter it to confirm the change."),
        RequestState.Completed => ("Completed", "We have done what you asked."),
        RequestState.Refused => ("Closed", "We could not do what you asked. We have emailed you the reasons and how to complain if you disagree."),
        RequestState.Duplicate => ("Joined to your earlier request", "You already had an open request of this kind, so we are dealing with them together."),
        _ => ("Received", "We have your request."),
    };

    /// <summary>What was done, for a completed request.</summary>
    public static string? Outcome(string? outcome) => outcome is null ? null : RequestOutcomes.EmailKindOf(outcome) switch
    {
        EmailKind.OutcomeAccess => "We have emailed you a link to download a copy of your data.",
        EmailKind.OutcomeWithdraw => "Your input has been taken out of the research.",
        EmailKind.OutcomeEraseContact => "Your contact details have been deleted.",
        EmailKind.OutcomeRectifyContact => "Your contact details have been updated.",
        EmailKind.OutcomeOptOut => "We will not contact you about this research again.",
        EmailKind.OutcomeNoData => "We hold no data about you in this study.",
        EmailKind.OutcomeReviewed => "The Data Protection Officer has replied to you by email.",
        _ => "We have emailed you the outcome.",
    };

    /// <summary>The tag's style: done, stopped, or in hand.</summary>
    public static string TagClass(RequestState state) => state switch
    {
        RequestState.Completed => "tag done",
        RequestState.Refused or RequestState.ClosedUnverified => "tag stopped",
        _ => "tag",
    };
}
