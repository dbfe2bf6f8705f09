using Compliance.Anonymisation;
using Compliance.Studies;
using static Compliance.Tests.Anonymisation.TranscriptTestData;

namespace Compliance.Tests.Anonymisation;

/// <summary>What is removed from running text, and what is deliberately left.</summary>
public sealed class RedactionTests
{
    // The whole transcript, as a researcher gets it: every participant's name is [PARTICIPANT].
    private static string Redact(string text, AnonymisationOptions? options = null) =>
        TranscriptAnonymiser.AnonymiseText("Interviewer: " + text, options ?? FocusGroup(own: null) with { People = Everyone })
            .Text["Interviewer: ".Length..];

    [Theory]
    [InlineData("Sam Patel said so.", "[PARTICIPANT] said so.")]
    [InlineData("SAM PATEL said so.", "[PARTICIPANT] said so.")]
    [InlineData("sam patel said so.", "[PARTICIPANT] said so.")]
    [InlineData("Sam  Patel said so.", "[PARTICIPANT] said so.")]
    [InlineData("Patel said so.", "[PARTICIPANT] said so.")]
    [InlineData("Sam's team, Sam’s team, Evans' team.", "[PARTICIPANT]'s team, [PARTICIPANT]’s team, [PARTICIPANT]' team.")]
    [InlineData("Ask sam-or jordan.", "Ask [PARTICIPANT]-or [PARTICIPANT].")]
    [InlineData("Samuel, Samantha and Leeds are other words.", "Samuel, Samantha and Leeds are other words.")]
    [InlineData("Priya Shah is not registered.", "Priya Shah is not registered.")]
    public void Names_are_removed_as_whole_words_in_any_case_with_possessives(string text, string expected)
    {
        Redact(text).ShouldBe(expected);
    }

    [Fact]
    public void The_longest_match_wins_so_a_full_name_is_one_token()
    {
        var result = TranscriptAnonymiser.AnonymiseText("Casey Evans: I agree with Sam Patel and with Sam.", FocusGroup("P-CASEY"));

        result.Text.ShouldBe("Participant: I agree with [OTHER PARTICIPANT] and with [OTHER PARTICIPANT].");
        result.Log.Where(e => e.Category == RedactionCategory.OtherParticipant).Select(e => e.Length).ShouldBe([9, 3]);
    }

    [Fact]
    public void The_requester_s_name_is_PARTICIPANT_and_everyone_else_s_OTHER_PARTICIPANT()
    {
        var result = TranscriptAnonymiser.AnonymiseText("Jordan Lee: Jordan here; Casey and Sam agree.", FocusGroup("P-JORDAN"));

        result.Text.ShouldBe("Participant: [PARTICIPANT] here; [OTHER PARTICIPANT] and [OTHER PARTICIPANT] agree.");
    }

    [Fact]
    public void A_name_that_is_also_a_common_word_is_removed_only_where_capitalised()
    {
        TranscriptPerson[] people = [new("P-WILL", "Will Hughes", null, null), new("P-MAY", "May Collins", null, null)];
        var options = new AnonymisationOptions { People = people, SessionKind = SessionKind.FocusGroup, OwnParticipantId = "P-MAY" };

        var result = TranscriptAnonymiser.AnonymiseText("May Collins: I will ask Will; WILL said we may meet in May. Hughes will too. Collins, may I?", options);

        // "in May" the month goes too: the price of not leaving a capitalised name in place.
        result.Text.ShouldBe("Participant: I will ask [OTHER PARTICIPANT]; [OTHER PARTICIPANT] said we may meet in [PARTICIPANT]. [OTHER PARTICIPANT] will too. [PARTICIPANT], may I?");
    }

    [Fact]
    public void Titles_and_initials_of_a_registered_name_are_not_removed_on_their_own()
    {
        var options = Interview() with { People = [Alex with { Name = "Dr Alex J. Morgan" }] };

        TranscriptAnonymiser.AnonymiseText("Alex: Dr Jones saw J and Dr Alex J. Morgan.", options).Text
            .ShouldBe("Participant: Dr Jones saw J and Dr [PARTICIPANT].");
    }

    [Theory]
    [InlineData("write to alex.morgan@example.org.", "write to [EMAIL].")]
    [InlineData("or ALEX.MORGAN@EXAMPLE.ORG", "or [EMAIL]")]
    [InlineData("a stranger: priya_shah+work@mail.example.co.uk, thanks", "a stranger: [EMAIL], thanks")]
    [InlineData("<o'neil@example.ie>", "<[EMAIL]>")]
    public void Email_addresses_are_removed_whoever_they_belong_to(string text, string expected)
    {
        Redact(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData("01632 960001")]
    [InlineData("01632960001")]
    [InlineData("01632-960-001")]
    [InlineData("(01632) 960001")]
    [InlineData("+44 1632 960001")]
    [InlineData("+44 (0)1632 960001")]
    [InlineData("+44(0)1632-960001")]
    [InlineData("0044 1632 960001")]
    [InlineData("020 7946 0000")]
    [InlineData("0161-496-0000")]
    [InlineData("0161 496 0000")]
    [InlineData("07700 900123")]
    [InlineData("07700 900 123")]
    [InlineData("+447700900123")]
    [InlineData("0800 123 456")]
    [InlineData("0300.123.1113")]
    public void UK_telephone_numbers_are_removed_in_any_spacing(string phone)
    {
        Redact($"Ring {phone}, please.").ShouldBe("Ring [PHONE], please.");
    }

    [Theory]
    [InlineData("In 2019 we had 12 staff and 1,500 cases.")]
    [InlineData("The ratio was 0.5 at 10:30.")]
    [InlineData("Reference 12345678901 is not a phone.")]
    public void Other_numbers_are_left(string text)
    {
        Redact(text).ShouldBe(text);
    }

    [Fact]
    public void A_participant_s_own_number_is_removed_even_in_a_format_the_UK_pattern_misses()
    {
        var options = Interview() with { People = [Alex with { Phone = "+1 (555) 010-0199" }] };

        TranscriptAnonymiser.AnonymiseText("Alex: Call +1 555 010 0199 or 555-010-0199.", options).Text
            .ShouldBe("Participant: Call [PHONE] or [PHONE].");
    }

    [Theory]
    [InlineData("The office in Newport, NP10 8XG, moved.", "The office in Newport, [POSTCODE], moved.")]
    [InlineData("SW1A 1AA and EC1A 1BB", "[POSTCODE] and [POSTCODE]")]
    [InlineData("m1 1ae or CM144LX", "[POSTCODE] or [POSTCODE]")]
    [InlineData("Post it to B33 8TH.", "Post it to [POSTCODE].")]
    [InlineData("We are in NP10 and they are in SW1A.", "We are in [POSTCODE] and they are in [POSTCODE].")]
    [InlineData("Take the M25 or the A1 to the M1, print on A4, cut CO2.", "Take the M25 or the A1 to the M1, print on A4, cut CO2.")]
    [InlineData("She is in HR, not in np10.", "She is in HR, not in np10.")]
    public void UK_postcodes_are_removed_and_outward_codes_where_they_cannot_be_something_else(string text, string expected)
    {
        Redact(text).ShouldBe(expected);
    }

    [Fact]
    public void Every_entry_of_the_redaction_list_is_removed_as_a_whole_phrase_in_any_case()
    {
        var text = "I was at the Office for National Statistics, then ONS sent me to natcen's team; McGowan\u00A0 Transcriptions typed it. Onset and donsy stay.";

        var result = Redact(text);

        result.ShouldBe("I was at the [REDACTED], then [REDACTED] sent me to [REDACTED]'s team; [REDACTED] typed it. Onset and donsy stay.");
    }

    [Fact]
    public void A_redaction_list_entry_longer_than_a_name_in_it_wins()
    {
        var options = Interview() with { RedactionList = ["Morgan Stanley"] };

        TranscriptAnonymiser.AnonymiseText("Alex: I was at Morgan Stanley before.", options).Text
            .ShouldBe("Participant: I was at [REDACTED] before.");
    }

    [Fact]
    public void A_turn_s_continuation_lines_and_speaker_labels_are_redacted_too()
    {
        var result = TranscriptAnonymiser.AnonymiseText("Alex Morgan: Line one\nwith alex.morgan@example.org on line two.", Interview());

        result.Text.ShouldBe("Participant: Line one with [EMAIL] on line two.");
        var label = result.Log[0];
        (label.Category, label.Offset, label.Length, label.Replacement, label.TurnIndex).ShouldBe((RedactionCategory.SpeakerLabel, 0, "Alex Morgan".Length, "Participant", 0));
    }
}
