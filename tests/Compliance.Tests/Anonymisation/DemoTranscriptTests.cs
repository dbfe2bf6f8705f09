using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Anonymisation;
using static Compliance.Tests.Anonymisation.TranscriptTestData;

namespace Compliance.Tests.Anonymisation;

/// <summary>The demo study's interview (plain text) and focus group (.docx), anonymised for each participant and for researchers.</summary>
public sealed class DemoTranscriptTests
{
    public static TheoryData<string> FocusGroupMembers => new(FocusGroupPeople.Select(p => p.ParticipantId));

    [Fact]
    public void The_interview_keeps_the_interviewer_s_questions_and_the_participant_s_answers()
    {
        var result = TranscriptAnonymiser.AnonymisePlainText(Utf8(InterviewTranscript), Interview());

        result.Text.ShouldBe(
            """
            Interviewer: Thank you for taking part. Could you describe how performance is managed where you work?
            Participant: We have quarterly reviews. My manager, Priya Shah, sets targets with each of us.
            Interviewer: How well does that work?
            Participant: Mostly well. You can reach me on [EMAIL] if you need anything after this.
            Interviewer: Thank you. Anything else you would like to add?
            Participant: Only that the office in Newport, [POSTCODE], has changed a lot since 2019.
            """);
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns, result.TurnsRecognised).ShouldBe((6, 0, 0, true));
    }

    [Theory]
    [InlineData("P-SAM",
        """
        Participant: Hi, I'm [PARTICIPANT], I work in procurement.
        Participant: Thanks, [OTHER PARTICIPANT]. We borrowed it from the Cardiff office.
        """)]
    [InlineData("P-JORDAN",
        """
        Participant: I'm [PARTICIPANT]. I manage a team of twelve.
        Participant: Clear goals. [OTHER PARTICIPANT]'s team does this brilliantly.
        """)]
    [InlineData("P-CASEY",
        """
        Participant: [PARTICIPANT] here, I'm in HR. My number is [PHONE] if the team needs it.
        Participant: Training matters more than anything.
        """)]
    public void A_focus_group_gives_the_requester_their_own_turns_only(string own, string expected)
    {
        var result = TranscriptAnonymiser.AnonymiseDocx(Docx(FocusGroupTranscript), FocusGroup(own));

        result.Text.ShouldBe(expected);
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns, result.TurnsRecognised).ShouldBe((2, 6, 0, true));
    }

    [Fact]
    public void For_researchers_the_whole_focus_group_is_kept_with_participants_numbered_by_first_turn()
    {
        var result = TranscriptAnonymiser.AnonymiseDocx(Docx(FocusGroupTranscript), FocusGroup(own: null));

        result.Text.ShouldBe(
            """
            Interviewer: Welcome, everyone. Let's start with introductions.
            Participant 1: Hi, I'm [PARTICIPANT], I work in procurement.
            Participant 2: I'm [PARTICIPANT]. I manage a team of twelve.
            Participant 3: [PARTICIPANT] here, I'm in HR. My number is [PHONE] if the team needs it.
            Interviewer: What helps you manage people well?
            Participant 2: Clear goals. [PARTICIPANT]'s team does this brilliantly.
            Participant 1: Thanks, [PARTICIPANT]. We borrowed it from the Cardiff office.
            Participant 3: Training matters more than anything.
            """);
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns).ShouldBe((8, 0, 0));
    }

    public static TheoryData<string, string?> EveryCase => new()
    {
        { "interview", "P-ALEX" },
        { "interview", null },
        { "focus-group", "P-SAM" },
        { "focus-group", "P-JORDAN" },
        { "focus-group", "P-CASEY" },
        { "focus-group", null },
    };

    [Theory]
    [MemberData(nameof(EveryCase))]
    public void No_name_email_phone_or_postcode_of_anyone_is_left(string session, string? own)
    {
        var result = Anonymise(session, own);

        foreach (var person in Everyone)
        {
            foreach (var name in person.Name!.Split(' '))
            {
                Regex.IsMatch(result.Text, $@"\b{name}\b", RegexOptions.IgnoreCase).ShouldBeFalse($"{name} is in:\n{result.Text}");
            }

            result.Text.ShouldNotContain(person.Email!, Case.Insensitive);
            result.Text.ShouldNotContain("@");
            Digits(result.Text).ShouldNotContain(Digits(person.Phone!)[1..]);
        }

        foreach (var postcode in Postcodes)
        {
            result.Text.ShouldNotContain(postcode, Case.Insensitive);
            result.Text.ShouldNotContain(postcode.Split(' ')[0], Case.Insensitive);
        }

        foreach (var entry in RedactionList)
        {
            Regex.IsMatch(result.Text, $@"\b{entry}\b", RegexOptions.IgnoreCase).ShouldBeFalse();
        }
    }

    [Theory]
    // Every kept turn's label is logged, staff labels too: "Priya (Moderator)" would name someone.
    [InlineData("interview", "P-ALEX", 0, 0, 1, 0, 1, 6)]
    [InlineData("interview", null, 0, 0, 1, 0, 1, 6)]
    [InlineData("focus-group", "P-SAM", 1, 1, 0, 0, 0, 2)]
    [InlineData("focus-group", "P-JORDAN", 1, 1, 0, 0, 0, 2)]
    [InlineData("focus-group", "P-CASEY", 1, 0, 0, 1, 0, 2)]
    [InlineData("focus-group", null, 5, 0, 0, 1, 0, 8)]
    public void The_log_counts_each_category(string session, string? own, int participant, int other, int email, int phone, int postcode, int labels)
    {
        var counts = Anonymise(session, own).CountByCategory();

        counts.GetValueOrDefault(RedactionCategory.Participant).ShouldBe(participant);
        counts.GetValueOrDefault(RedactionCategory.OtherParticipant).ShouldBe(other);
        counts.GetValueOrDefault(RedactionCategory.Email).ShouldBe(email);
        counts.GetValueOrDefault(RedactionCategory.Phone).ShouldBe(phone);
        counts.GetValueOrDefault(RedactionCategory.Postcode).ShouldBe(postcode);
        counts.GetValueOrDefault(RedactionCategory.RedactionList).ShouldBe(0);
        counts.GetValueOrDefault(RedactionCategory.SpeakerLabel).ShouldBe(labels);
    }

    [Theory]
    [MemberData(nameof(EveryCase))]
    public void Each_log_entry_points_at_its_replacement_and_the_log_holds_no_removed_text(string session, string? own)
    {
        var result = Anonymise(session, own);

        foreach (var entry in result.Log)
        {
            result.Text.Substring(entry.Offset, entry.Replacement.Length).ShouldBe(entry.Replacement);
            entry.Length.ShouldBeGreaterThan(0);
        }

        result.Log.Select(e => e.Offset).ShouldBeInOrder();
        var json = JsonSerializer.Serialize(result.Log);
        json.ShouldContain("\"Category\":\"SpeakerLabel\"", customMessage: "categories are stored by name");
        foreach (var person in Everyone)
        {
            foreach (var name in person.Name!.Split(' '))
            {
                json.ShouldNotContain(name, Case.Insensitive);
            }

            json.ShouldNotContain(person.Email!, Case.Insensitive);
            json.ShouldNotContain(person.Phone!);
        }

        json.ShouldNotContain("NP10", Case.Insensitive);
    }

    [Theory]
    [InlineData("interview")]
    [InlineData("focus-group")]
    public void A_docx_transcript_gives_the_same_result_as_the_same_plain_text(string session)
    {
        var (transcript, options) = session == "interview"
            ? (InterviewTranscript, Interview())
            : (FocusGroupTranscript, FocusGroup("P-JORDAN"));

        var fromText = TranscriptAnonymiser.AnonymisePlainText(Utf8(transcript), options);
        var fromDocx = TranscriptAnonymiser.AnonymiseDocx(Docx(transcript), options);

        fromDocx.Text.ShouldBe(fromText.Text);
        fromDocx.Log.ShouldBe(fromText.Log);
        (fromDocx.TurnsKept, fromDocx.TurnsLeftOut, fromDocx.UnattributedTurns).ShouldBe((fromText.TurnsKept, fromText.TurnsLeftOut, fromText.UnattributedTurns));
    }

    [Fact]
    public void The_output_docx_opens_and_holds_the_text_a_paragraph_per_turn_with_labels_in_bold()
    {
        var result = TranscriptAnonymiser.AnonymisePlainText(Utf8(InterviewTranscript), Interview());

        var docx = result.ToDocx();

        DocxParagraphs(docx).ShouldBe(result.Text.Split('\n'));
        using var stream = new MemoryStream(docx);
        using var document = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(stream, isEditable: false);
        var first = document.MainDocumentPart!.Document!.Body!.Elements<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().First();
        var labelRun = first.Elements<DocumentFormat.OpenXml.Wordprocessing.Run>().First();
        labelRun.InnerText.ShouldBe("Interviewer:");
        labelRun.RunProperties?.Bold.ShouldNotBeNull();
        document.PackageProperties.Creator.ShouldBeNull();

        // Read back as a transcript, it is the same text again.
        TranscriptAnonymiser.AnonymiseDocx(new MemoryStream(docx), Interview(own: null)).Text.ShouldBe(result.Text);
    }

    private static AnonymisedTranscript Anonymise(string session, string? own) => session == "interview"
        ? TranscriptAnonymiser.AnonymisePlainText(Utf8(InterviewTranscript), Interview(own))
        : TranscriptAnonymiser.AnonymiseDocx(Docx(FocusGroupTranscript), FocusGroup(own));

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).ToArray());
}
