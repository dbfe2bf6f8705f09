namespace Compliance.Mail.Intake;

/// <summary>What intake does with a message.</summary>
public enum IntakeAction
{
    /// <summary>Too large or unparseable: kept, audited, and a staff task created.</summary>
    Quarantine,

    /// <summary>Automatic mail (or our own): recorded, nothing started.</summary>
    Ignore,

    /// <summary>A reply to one of our emails: an event for that request.</summary>
    Reply,

    /// <summary>A new message whose intents are clear: one request per intent.</summary>
    NewRequests,

    /// <summary>A new message whose type staff must confirm.</summary>
    Triage,
}

/// <summary>
/// The decision for one inbound message, with everything it was made from: the reason code (of the reading, the screen, or
/// the action), the reply match and the classification. Holds personal data only through <see cref="Read"/>'s message.
/// </summary>
public sealed record IntakeDecision(IntakeAction Action, string Reason, InboundReadResult Read, ScreenDecision? Screen, ReplyMatch? Reply, Classification? Classification);

/// <summary>The order of intake's pure steps: read, screen, match a reply, classify. The same for every connector.</summary>
public static class IntakeDecisions
{
    public const string ReplyReason = "reply";
    public const string ClassifiedReason = "classified";
    public const string TriageReason = "needs-triage";

    /// <summary>The message was longer than the classifier reads (<see cref="RequestClassifier.MaxTextChars"/>): a person reads it.</summary>
    public const string TooLongReason = "too-long-to-classify";

    /// <summary>Why a classified message goes to triage.</summary>
    public static string TriageReasonOf(Classification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return classification.Truncated ? TooLongReason : TriageReason;
    }

    /// <summary>
    /// Decides what to do with <paramref name="read"/>. Screening comes before reply matching, so an out-of-office answer to
    /// one of our emails is ignored rather than taken as the participant's reply.
    /// </summary>
    public static IntakeDecision Decide(InboundReadResult read, IEnumerable<string> ownAddresses, string? messageIdDomain, RequestClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(classifier);
        if (read.Message is not { } message)
        {
            return new IntakeDecision(IntakeAction.Quarantine, read.Reason, read, null, null, null);
        }

        var screen = MessageScreen.Screen(message, ownAddresses);
        if (!screen.ShouldProcess)
        {
            // A subject alone ("On leave until 4 January") is all that marks this one as automatic, and a person may write it:
            // if it asks for something, a person reads it rather than it being dropped.
            if (screen.Reason == ScreenReason.OutOfOfficeSubject && !MessageScreen.IsClientAwayPrefix(message.Subject) && classifier.Classify(message) is { Intents.Count: > 0 } asked)
            {
                return new IntakeDecision(IntakeAction.Triage, TriageReason, read, screen, null, asked with { NeedsTriage = true, TriageWhy = Intake.TriageWhy.AwaySubject });
            }

            return new IntakeDecision(IntakeAction.Ignore, screen.Reason, read, screen, null, null);
        }

        if (ReplyMatcher.Match(message, messageIdDomain) is { } reply)
        {
            return new IntakeDecision(IntakeAction.Reply, ReplyReason, read, screen, reply, null);
        }

        var classification = classifier.Classify(message);
        return classification.NeedsTriage
            ? new IntakeDecision(IntakeAction.Triage, TriageReasonOf(classification), read, screen, null, classification)
            : new IntakeDecision(IntakeAction.NewRequests, ClassifiedReason, read, screen, null, classification);
    }
}
