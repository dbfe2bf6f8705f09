using System.Globalization;
using System.Text;
using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Access;

/// <summary>One session of the requester as the package describes it.</summary>
/// <param name="Session">The session.</param>
/// <param name="Entries">The package files made from the session's transcripts (none when there is no transcript yet).</param>
/// <param name="Held">How many items of each artifact kind are held for the session.</param>
/// <param name="HasUnreadTranscript">A transcript is held that could not be prepared automatically.</param>
internal sealed record PackageSession(Session Session, IReadOnlyList<string> Entries, IReadOnlyDictionary<string, int> Held, bool HasUnreadTranscript);

/// <summary>The plain-words text files of an access package: what it holds and what the study does with the data, and the contact details held.</summary>
internal static class AccessPackageText
{
    public const string ReadMeEntry = "README.txt";
    public const string ContactDetailsEntry = "your-contact-details.txt";
    public const string TranscriptFolder = "transcripts/";

    /// <summary>The contact details held for the participant, each field said plainly, "none held" where erased.</summary>
    public static string ContactDetails(Participant participant)
    {
        var text = new StringBuilder();
        text.Append("The contact details we hold for you\n");
        text.Append("===================================\n\n");
        text.Append("Name:            ").Append(participant.Name ?? "none held").Append('\n');
        text.Append("Email address:   ").Append(participant.Email ?? "none held").Append('\n');
        text.Append("Telephone:       ").Append(participant.Phone ?? "none held").Append('\n');
        text.Append("Privacy notice:  you were given version ").Append(participant.NoticeVersion).Append('\n');
        text.Append("Do not contact:  ").Append(participant.DoNotContact
            ? "yes: you asked us not to contact you, and we do not, except to answer your requests"
            : "no: you have not asked us to stop contacting you").Append('\n');
        text.Append("Recorded on:     ").Append(Date(UkTime.DateOf(participant.RegisteredAt))).Append('\n');
        text.Append("Your reference:  ").Append(participant.ParticipantId).Append('\n');
        text.Append("\nYou may ask for these details to be updated or deleted at any time (see README.txt).\n");
        return text.ToString();
    }

    /// <summary>
    /// What the package holds, session by session, and what the study does with the participant's data. Every name, address
    /// and promise in it is the study policy's; the study record gives only its dates.
    /// </summary>
    public static string ReadMe(Study study, StudyPolicy policy, Participant participant, string requestId, IReadOnlyList<PackageSession> sessions, DateOnly preparedOn)
    {
        var text = new StringBuilder();
        var title = $"Your data from the study \"{policy.Study.Name}\"";
        Line(text, title);
        Line(text, new string('=', Math.Min(120, title.Length)));
        Line(text);
        Line(text, $"This package answers your request {requestId} for a copy of your personal data. It was prepared on {Date(preparedOn)}.");
        Line(text);

        Line(text, "Why we hold your data");
        Line(text, "---------------------");
        Paragraph(text, policy.Study.Purpose);
        Line(text);

        Line(text, "What is in this package");
        Line(text, "-----------------------");
        Line(text, $"- {ContactDetailsEntry}: the contact details we hold for you.");
        if (sessions.Any(s => s.Entries.Count > 0))
        {
            Line(text, $"- {TranscriptFolder}: what you said in each session below, in an anonymised transcript. Names, email addresses,");
            Line(text, "  telephone numbers and postcodes are replaced: [PARTICIPANT] stands for your name, [OTHER PARTICIPANT] for");
            Line(text, "  someone else's, [EMAIL], [PHONE] and [POSTCODE] for those details, and [REDACTED] for the names of organisations,");
            Line(text, "  places and people the study removes from every transcript.");
        }

        Line(text, "- this file: what the study does with your data, and how to contact us.");
        Line(text);

        Line(text, "The sessions you took part in");
        Line(text, "-----------------------------");
        if (sessions.Count == 0)
        {
            Line(text, "We hold no record of an interview or focus group with you.");
        }

        foreach (var item in sessions)
        {
            var session = item.Session;
            var isGroup = session.Kind != SessionKind.Interview || session.ParticipantIds.Count > 1;
            Line(text, $"- {KindName(session.Kind)} on {Date(session.Date)}.");
            if (item.Entries.Count > 0)
            {
                Line(text, $"  Your transcript: {string.Join(", ", item.Entries)}.");
                Line(text, isGroup
                    ? "  Others took part in this session, so the transcript holds only what you said: other people's words, and the\n" +
                      "  questions put to the group, are left out because they could show what others said."
                    : "  The interviewer's questions are included with your answers.");
            }
            else if (item.HasUnreadTranscript)
            {
                Line(text, "  The transcript of this session could not be prepared automatically; the research team will check it and send it.");
            }
            else
            {
                Line(text, "  The transcript of this session is not ready yet.");
            }

            if (item.HasUnreadTranscript && item.Entries.Count > 0)
            {
                Line(text, "  Another transcript of this session could not be prepared automatically; the research team will check it.");
            }

            if (item.Held.Count > 0)
            {
                Line(text, $"  We hold for this session: {string.Join(", ", item.Held.OrderBy(h => KindOrder(h.Key)).Select(h => Held(h.Key, h.Value)))}.");
            }
        }

        Line(text);
        Line(text, "Who is responsible for your data");
        Line(text, "--------------------------------");
        Line(text, $"- {policy.Controller.Name} is the data controller: it decides why and how your data is used{Contact(policy.Controller.Email)}.");
        Line(text, $"- {policy.Processor.Name} is the data processor: it carries out the research for the controller{Contact(policy.Processor.Email)}.");
        Line(text, $"- To contact us, the {policy.Team.Name}, email {policy.ResearchMailbox}.");
        Line(text);

        Line(text, "How long your data is kept");
        Line(text, "--------------------------");
        Line(text, $"Everything the study holds about you (recordings, transcripts, notes, your contact details and emails) is deleted");
        Line(text, $"{policy.Retention.DeleteAfterPublication} after the study's report is published.");
        if (study.PublishedOn is { } published)
        {
            Line(text, $"The report was published on {Date(published)}, so your data is due to be deleted by {Date(policy.Retention.DeleteAfterPublication.AddTo(published))}.");
        }
        else
        {
            Line(text, $"The report is to be published within {policy.Retention.PublicationPromisedWithin} of the end of data collection on {Date(study.EndOfDataCollection)}.");
        }

        Line(text);
        Line(text, "Your rights");
        Line(text, "-----------");
        Line(text, $"- You may ask for what you said in a session in an anonymised transcript, {policy.Access.TranscriptAvailableAfterSession} after the session.");
        Line(text, $"- You may ask for your input to be removed before {Date(policy.Withdrawal.CutOff)}, and only while the data has not been analysed.");
        if (study.AnalysisStartedOn is { } analysed)
        {
            Line(text, $"  The analysis began on {Date(analysed)}.");
        }

        Line(text, "- You may ask for your contact details to be deleted or updated at any time.");
        Line(text, $"- Questions about how your data is used: {policy.Dpo.Name}, {policy.Dpo.Organisation}, {policy.Dpo.Address}; {policy.Dpo.Email}.");
        Line(text, $"- You have the right to complain to the {policy.Ico.Name}: {policy.Ico.Address}; helpline {policy.Ico.Helpline}; {policy.Ico.Website}.");
        Line(text);

        Line(text, "The privacy notice");
        Line(text, "------------------");
        Line(text, $"This follows \"{policy.Notice.Title}\", version {policy.Notice.Version}; you were given version {participant.NoticeVersion}.");
        Line(text, $"(Study policy version {policy.PolicyVersion}.)");
        return text.ToString();
    }

    /// <summary>The package file of a transcript: <c>transcripts/{date}-{kind}{-n}{ext}</c>, numbered when a name repeats.</summary>
    public static string TranscriptEntry(Session session, string extension, ISet<string> taken)
    {
        var stem = $"{TranscriptFolder}{session.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}-{session.Kind}";
        var name = stem + extension;
        for (var n = 2; !taken.Add(name); n++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}{extension}");
        }

        return name;
    }

    internal static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static string KindName(string kind) => kind switch
    {
        SessionKind.Interview => "Interview",
        SessionKind.FocusGroup => "Focus group",
        _ => "Session",
    };

    private static int KindOrder(string kind)
    {
        var i = ArtifactKind.All.ToList().IndexOf(kind);
        return i >= 0 ? i : int.MaxValue;
    }

    private static string Held(string kind, int count) => (kind, count) switch
    {
        (ArtifactKind.Recording, 1) => "a recording",
        (ArtifactKind.Recording, _) => $"{count} recordings",
        (ArtifactKind.Transcript, 1) => "a transcript",
        (ArtifactKind.Transcript, _) => $"{count} transcripts",
        (ArtifactKind.AnonymisedTranscript, 1) => "an anonymised transcript",
        (ArtifactKind.AnonymisedTranscript, _) => $"{count} anonymised transcripts",
        (ArtifactKind.Notes, 1) => "researcher notes",
        (ArtifactKind.Notes, _) => $"{count} sets of researcher notes",
        _ => $"{count} × {kind}",
    };

    private static string Contact(string? email) => email is null ? string.Empty : $" (contact: {email})";

    private static void Line(StringBuilder text, string line = "") => text.Append(line).Append('\n');

    /// <summary>Text from the policy, wrapped at word breaks to the width of the rest of the file.</summary>
    private static void Paragraph(StringBuilder text, string paragraph)
    {
        var line = new StringBuilder();
        foreach (var word in paragraph.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 118)
            {
                Line(text, line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        Line(text, line.ToString());
    }
}
