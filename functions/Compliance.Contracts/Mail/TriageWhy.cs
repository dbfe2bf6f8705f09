namespace Compliance.Mail.Intake;

/// <summary>Why a message goes to a person rather than straight to requests (the classification's <c>TriageWhy</c>, and a triage task's <c>reason</c>).</summary>
public static class TriageWhy
{
    /// <summary>No phrase of any request type was found.</summary>
    public const string NoIntent = "no-intent";

    /// <summary>An intent was found, but too weakly to act on alone: staff choose among the types offered.</summary>
    public const string Uncertain = "uncertain";

    /// <summary>The text was longer than the classifier reads.</summary>
    public const string TooLong = "too-long";

    /// <summary>Its subject reads as an out-of-office reply, but no header marks it as automatic and it asks for something.</summary>
    public const string AwaySubject = "away-subject";
}
