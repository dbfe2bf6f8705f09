using System.Globalization;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;

namespace Compliance.Portal.Studies;

/// <summary>
/// A study's privacy notice in plain words, every fact from its own policy and registration: who holds the data and why,
/// what each right means for this study, how long the data is kept, and whom to contact. Nothing here names any study.
/// </summary>
public sealed record StudyNotice(Study Study, StudyPolicy Policy)
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public string StudyId => Study.StudyId;

    /// <summary>The study's own page.</summary>
    public string Href => $"/studies/{Study.StudyId}";

    /// <summary>The request form of the study.</summary>
    public string RequestHref => $"/studies/{Study.StudyId}/request";

    /// <summary>The name in the page header: the team that runs the study.</summary>
    public string TeamName => Policy.Team.Name;

    public string Name => Policy.Study.Name;

    public string Purpose => Policy.Study.Purpose;

    public string WhoHoldsIt =>
        $"{Policy.Controller.Name} is the data controller: it decides why and how your personal data is used. {Policy.Processor.Name} is the data processor: it carries out the research for {Policy.Controller.Name}.";

    public string Access =>
        $"You can ask for a copy of what you said. We can give it to you as an anonymised transcript from {Policy.Access.TranscriptAvailableAfterSession} after your session, when the transcription is ready.";

    public string Withdrawal =>
        $"You can ask for your input to be removed from the research before the data is analysed, and only {CutOffWords}. After that, or once the data has been analysed, made anonymous or the report published, the anonymised findings cannot be changed. We will tell you whether removal is still possible.";

    /// <summary>When a withdrawal is still possible, in words: <c>before 2 September 2024</c>.</summary>
    public string CutOffWords => $"{Policy.Withdrawal.CutOffRule} {Date(Policy.Withdrawal.CutOff)}";

    public string ContactDetails =>
        $"You can ask {Policy.Processor.Name} at any time to update or delete your contact details (your name, email address and other contact information).";

    public string OptOut => $"You can ask {Policy.Processor.Name} at any time to stop contacting you about this research.";

    public string Retention
    {
        get
        {
            var promise = Policy.Retention.PublicationPromisedWithin.AddTo(Study.EndOfDataCollection);
            var published = Study.PublishedOn is { } on
                ? $"The report was published on {Date(on)}, so the data will be deleted by {Date(Policy.Retention.DeleteAfterPublication.AddTo(on))}."
                : $"The report is expected by {Date(promise)}, {Policy.Retention.PublicationPromisedWithin} after data collection ended.";
            return $"All data {Policy.Processor.Name} holds for this study (recordings, transcripts and researchers' notes) is deleted {Policy.Retention.DeleteAfterPublication} after the report is published. {published}";
        }
    }

    public const string Timescale =
        "We reply to a request within one month of receiving it (or of confirming it is you, when we need to). For a complex request we may extend this by up to two more months, and we will tell you why.";

    /// <summary>A date as pages write it: <c>2 September 2024</c>.</summary>
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", EnGb);
}
