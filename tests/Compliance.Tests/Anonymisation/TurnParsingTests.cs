using System.Text;
using Compliance.Anonymisation;
using Compliance.Studies;
using DocumentFormat.OpenXml.Wordprocessing;
using static Compliance.Tests.Anonymisation.TranscriptTestData;

namespace Compliance.Tests.Anonymisation;

/// <summary>Speaker turns in plain text and .docx: labels, timestamps, continuations, and transcripts without turns.</summary>
public sealed class TurnParsingTests
{
    [Fact]
    public void A_BOM_CRLF_line_endings_blank_lines_and_continuation_lines_are_read_as_turns()
    {
        var text = "Interviewer: First question?\r\n\r\nAlex Morgan: An answer\r\nthat goes on\r\n\r\nover lines.\rInterviewer: Thanks.\n";
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();

        var result = TranscriptAnonymiser.AnonymisePlainText(new MemoryStream(bytes), Interview());

        result.Text.ShouldBe("Interviewer: First question?\nParticipant: An answer that goes on over lines.\nInterviewer: Thanks.");
    }

    [Fact]
    public void UTF16_with_a_byte_order_mark_is_read_too()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Alex Morgan: Zoë’s café")).ToArray();

        TranscriptAnonymiser.AnonymisePlainText(new MemoryStream(bytes), Interview()).Text.ShouldBe("Participant: Zoë’s café");
    }

    [Theory]
    [InlineData("Alex Morgan: Yes.")]
    [InlineData("Alex: Yes.")]
    [InlineData("Morgan: Yes.")]
    [InlineData("ALEX MORGAN: Yes.")]
    [InlineData("alex morgan: Yes.")]
    [InlineData("P1 (Alex): Yes.")]
    [InlineData("Alex M: Yes.")]
    [InlineData("Mr Alex Morgan: Yes.")]
    [InlineData("[00:01:23] Alex Morgan: Yes.")]
    [InlineData("00:01:23 Alex Morgan: Yes.")]
    [InlineData("(01:23) - Alex: Yes.")]
    [InlineData("[1:02:03.5] Alex Morgan: Yes.")]
    [InlineData("Alex Morgan (00:01:23): Yes.")]
    [InlineData("Alex Morgan [00:01:23]: Yes.")]
    [InlineData("  Alex Morgan:   Yes.  ")]
    [InlineData("Respondent: Yes.")]
    public void Label_forms_of_the_participant_are_recognised(string line)
    {
        var result = TranscriptAnonymiser.AnonymiseText("Interviewer: Well?\n" + line, Interview());

        result.Text.ShouldBe("Interviewer: Well?\nParticipant: Yes.");
        result.UnattributedTurns.ShouldBe(0);
    }

    [Theory]
    [InlineData("Interviewer")]
    [InlineData("INTERVIEWER")]
    [InlineData("Moderator 2")]
    [InlineData("Facilitator")]
    [InlineData("Lead Researcher")]
    [InlineData("Priya (Interviewer)")]
    [InlineData("Q")]
    [InlineData("[00:00:05] Moderator")]
    public void Staff_labels_become_Interviewer(string label)
    {
        TranscriptAnonymiser.AnonymiseText($"{label}: Well?\nAlex: Yes.", Interview()).Text
            .ShouldBe("Interviewer: Well?\nParticipant: Yes.");
    }

    [Fact]
    public void A_timestamped_focus_group_keeps_the_requester_s_turns_without_their_timestamps()
    {
        var transcript =
            """
            [00:00:01] Moderator: Hello.
            [00:00:09] Sam Patel: Hello from me.
            [00:00:15] Casey Evans: And me.
            [00:01:02] Sam: One more thing.
            """;

        var result = TranscriptAnonymiser.AnonymiseText(transcript, FocusGroup("P-SAM"));

        result.Text.ShouldBe("Participant: Hello from me.\nParticipant: One more thing.");
        (result.TurnsKept, result.TurnsLeftOut).ShouldBe((2, 2));
    }

    [Fact]
    public void A_known_speaker_alone_on_a_line_or_before_a_tab_starts_a_turn_as_meeting_tools_export_them()
    {
        var transcript =
            """
            Moderator   0:01
            Hello all.
            Sam Patel   0:05
            Hi, I'm Sam.
            [00:00:09] Casey Evans
            Casey here.
            Thanks
            Jordan Lee	Me too.
            Sam： Last word.
            """;

        var result = TranscriptAnonymiser.AnonymiseText(transcript, FocusGroup("P-SAM"));

        // "Thanks" alone names nobody, so it continues Casey's turn.
        result.Text.ShouldBe("Participant: Hi, I'm [PARTICIPANT].\nParticipant: Last word.");
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns).ShouldBe((2, 3, 0));
    }

    [Fact]
    public void A_sentence_with_a_colon_continues_the_turn_but_a_capitalised_unknown_label_starts_one()
    {
        var transcript =
            """
            Sam Patel: I asked them
            and then he said: no way.
            Note: the recorder stopped here.
            """;

        var result = TranscriptAnonymiser.AnonymiseText(transcript, FocusGroup("P-SAM"));

        // A capitalised word and a colon may be a speaker nobody registered; leaving it out is safer than giving the
        // requester someone else's words, and the count tells the researcher to look.
        result.Text.ShouldBe("Participant: I asked them and then he said: no way.");
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns).ShouldBe((1, 1, 1));
    }

    [Fact]
    public void A_sentence_that_starts_with_another_speaker_s_name_does_not_give_them_the_turn()
    {
        var transcript = "Sam Patel: I asked around.\nJordan Lee said: it's fine.\njordan lee: Yes, I did.";

        var forSam = TranscriptAnonymiser.AnonymiseText(transcript, FocusGroup("P-SAM"));
        var forJordan = TranscriptAnonymiser.AnonymiseText(transcript, FocusGroup("P-JORDAN"));

        forSam.Text.ShouldBe("Participant: I asked around. [OTHER PARTICIPANT] said: it's fine.");
        forJordan.Text.ShouldBe("Participant: Yes, I did.");
    }

    [Fact]
    public void Unattributable_and_ambiguous_turns_are_left_out_for_a_requester_and_counted()
    {
        TranscriptPerson[] people = [Sam, new("P-SAM2", "Sam Jones", null, null), Casey];
        var options = new AnonymisationOptions { People = people, SessionKind = SessionKind.FocusGroup, OwnParticipantId = "P-SAM" };
        var transcript =
            """
            Intro text before anyone speaks.
            Sam Patel: Mine.
            Sam: Whose? Two people are called Sam.
            Speaker 4: Someone not registered.
            Respondent: A generic label names nobody in a group.
            Patel: Mine again.
            """;

        var result = TranscriptAnonymiser.AnonymiseText(transcript, options);

        result.Text.ShouldBe("Participant: Mine.\nParticipant: Mine again.");
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns).ShouldBe((2, 4, 4));
    }

    [Fact]
    public void A_label_with_one_of_a_participant_s_names_and_another_name_is_not_theirs()
    {
        var result = TranscriptAnonymiser.AnonymiseText("Sam Jones: Not Sam Patel's words.\nSam: Mine.", FocusGroup("P-SAM"));

        result.Text.ShouldBe("Participant: Mine.");
        result.UnattributedTurns.ShouldBe(1);
    }

    [Fact]
    public void For_researchers_unattributed_turns_are_kept_under_a_neutral_label()
    {
        var result = TranscriptAnonymiser.AnonymiseText("Header about Sam Patel\nPriya Shah: Hello.\nSam: Hi.", FocusGroup(own: null));

        result.Text.ShouldBe("Header about [PARTICIPANT]\nUnidentified speaker: Hello.\nParticipant: Hi.");
        (result.TurnsKept, result.UnattributedTurns).ShouldBe((3, 2));
    }

    [Fact]
    public void A_participant_whose_name_was_erased_cannot_be_attributed()
    {
        var options = FocusGroup("P-SAM") with { People = [Sam with { Name = null }, Jordan, Casey] };

        var result = TranscriptAnonymiser.AnonymiseDocx(Docx(FocusGroupTranscript), options);

        result.Text.ShouldBeEmpty();
        (result.TurnsKept, result.UnattributedTurns).ShouldBe((0, 2));
    }

    [Fact]
    public void A_transcript_without_turns_is_one_block_kept_whole_for_researchers()
    {
        const string notes = "Alex Morgan talked about reviews.\r\n\r\nAlex can be reached on 01632 960001.";

        var result = TranscriptAnonymiser.AnonymiseText(notes, Interview(own: null));

        result.TurnsRecognised.ShouldBeFalse();
        result.Text.ShouldBe("[PARTICIPANT] talked about reviews.\n[PARTICIPANT] can be reached on [PHONE].");
        (result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns).ShouldBe((1, 0, 1));
        result.Log.ShouldAllBe(e => e.TurnIndex == 0);
    }

    [Fact]
    public void A_block_without_turns_is_kept_for_a_one_to_one_requester_and_left_out_of_a_group()
    {
        const string block = "Everyone talked about reviews.";

        var interview = TranscriptAnonymiser.AnonymiseText(block, Interview("P-ALEX"));
        var group = TranscriptAnonymiser.AnonymiseText(block, FocusGroup("P-SAM"));

        (interview.Text, interview.TurnsKept, interview.TurnsRecognised).ShouldBe((block, 1, false));
        (group.Text, group.TurnsKept, group.TurnsLeftOut, group.UnattributedTurns, group.TurnsRecognised).ShouldBe((string.Empty, 0, 1, 1, false));
    }

    [Fact]
    public void An_empty_transcript_gives_an_empty_result()
    {
        var result = TranscriptAnonymiser.AnonymiseText("\n \r\n", Interview());

        (result.Text, result.TurnsKept, result.TurnsLeftOut, result.TurnsRecognised, result.Log.Count).ShouldBe((string.Empty, 0, 0, false, 0));
    }

    [Fact]
    public void Docx_text_split_across_runs_is_joined_before_labels_and_names_are_found()
    {
        var docx = Docx(
        [
            SplitParagraph("Moder", "ator:", " Hello."),
            SplitParagraph("Sam Pa", "tel: Hi, I'm S", "am P", "atel, email s", "am.patel@exa", "mple.org."),
            SplitParagraph("Jordan Lee:", " Hi ", "Sam."),
        ]);

        var result = TranscriptAnonymiser.AnonymiseDocx(docx, FocusGroup("P-SAM"));

        result.Text.ShouldBe("Participant: Hi, I'm [PARTICIPANT], email [EMAIL].");
    }

    [Fact]
    public void Docx_continuation_paragraphs_line_breaks_tabs_and_invisible_characters_are_handled()
    {
        var docx = Docx(
        [
            new Paragraph(new Run(new Text("Sam Patel:"), new TabChar(), new Text("First line"), new Break(), new Text("second line"))),
            new Paragraph(new Run(new Text("A paragraph that continues the turn; Ca\u200Bsey agrees."))),
            new Paragraph(),
            new Paragraph(new Run(new Text("Casey Evans: Not Sam's."))),
        ]);

        var result = TranscriptAnonymiser.AnonymiseDocx(docx, FocusGroup("P-SAM"));

        result.Text.ShouldBe("Participant: First line second line A paragraph that continues the turn; [OTHER PARTICIPANT] agrees.");
    }

    [Fact]
    public void Docx_table_rows_of_label_and_text_are_turns()
    {
        var docx = Docx([new Table(Row("00:00:01", "Moderator", "Hello."), Row("00:00:04", "Sam Patel", "Hi, I'm Sam."), Row("00:00:08", "Casey Evans", "Hi."))]);

        var result = TranscriptAnonymiser.AnonymiseDocx(docx, FocusGroup("P-SAM"));

        result.Text.ShouldBe("Participant: Hi, I'm [PARTICIPANT].");
        result.TurnsLeftOut.ShouldBe(2);

        static TableRow Row(params string[] cells) =>
            new(cells.Select(c => new TableCell(new Paragraph(new Run(new Text(c))))));
    }

    [Fact]
    public void A_docx_from_a_stream_that_cannot_seek_is_read()
    {
        using var docx = Docx(FocusGroupTranscript);

        var result = TranscriptAnonymiser.AnonymiseDocx(new ForwardOnlyStream(docx.ToArray()), FocusGroup("P-CASEY"));

        result.TurnsKept.ShouldBe(2);
    }

    [Fact]
    public void A_file_that_is_not_a_docx_is_refused_as_invalid_data()
    {
        Should.Throw<InvalidDataException>(() => TranscriptAnonymiser.AnonymiseDocx(Utf8(InterviewTranscript), Interview()));
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", null, TranscriptFormat.PlainText)]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null, TranscriptFormat.Docx)]
    [InlineData("application/octet-stream", "MPATI/S-1/A-1.docx", TranscriptFormat.Docx)]
    [InlineData(null, "a.TXT", TranscriptFormat.PlainText)]
    public void The_format_comes_from_the_content_type_or_the_extension(string? contentType, string? name, TranscriptFormat expected)
    {
        TranscriptFormats.TryGet(contentType, name, out var format).ShouldBeTrue();
        format.ShouldBe(expected);
    }

    [Fact]
    public void A_pdf_is_not_a_transcript_format()
    {
        TranscriptFormats.TryGet("application/pdf", "a.pdf", out _).ShouldBeFalse();
    }

    [Fact]
    public void Options_that_do_not_fit_together_are_refused()
    {
        Should.Throw<ArgumentException>(() => TranscriptAnonymiser.AnonymiseText("x", Interview("P-NOBODY")));
        Should.Throw<ArgumentException>(() => TranscriptAnonymiser.AnonymiseText("x", Interview() with { SessionKind = "party" }));
        Should.Throw<ArgumentException>(() => TranscriptAnonymiser.AnonymiseText("x", Interview() with { People = [Alex, Alex] }));
    }

    /// <summary>A read-only stream that cannot seek, like a blob download.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream inner = new(content);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
