using Compliance.Mail.Intake;
using Compliance.Requests;
using MimeKit;

namespace Compliance.Tests.Mail.Intake;

/// <summary>How the classifier reads as a DPO would: contrast, what rules a type out, what is no request, questions, the parts of a message that are not its request, and the reason it gives.</summary>
public sealed class ClassifierReadingTests
{
    private static Classification Classify(string text, string subject = "") => RequestClassifier.Default.Classify(subject, text);

    private static string[] Types(Classification c) => [.. c.Intents.Select(i => i.Type)];

    [Fact]
    public void Keeping_the_interview_in_rules_a_withdrawal_out_and_the_opt_out_stands()
    {
        var result = Classify("Please keep my interview in, but I'd prefer not to be contacted about phase 2.");

        Types(result).ShouldBe([RequestType.OptOut]);
        result.NeedsTriage.ShouldBeFalse();
        result.RuledOut!.ShouldBe(["unless:withdraw:keep-my-interview-in"]);

        var both = Classify("I don't want to withdraw, but please delete my recording from your files.");
        Types(both).ShouldNotContain(RequestType.Withdraw);
        both.RuledOut!.ShouldContain("unless:withdraw:not-want-to-withdraw");
    }

    [Fact]
    public void A_question_about_the_report_that_mentions_a_copy_is_a_query_and_a_thank_you_for_a_summary_asks_for_nothing()
    {
        var question = Classify("When is the report expected? And will participants get a copy of the report?");
        Types(question).ShouldBe([RequestType.Query]);

        var thanks = Classify("Thank you for the summary of the interview, it was a fair reflection.");
        thanks.Intents.ShouldBeEmpty();
        thanks.TriageWhy.ShouldBe(TriageWhy.NoIntent);
    }

    [Fact]
    public void Questions_that_seek_information_make_a_query_and_a_request_put_as_a_question_does_not()
    {
        var asking = Classify("How are the recordings stored? Who at the ONS sees the transcripts?");
        Types(asking).ShouldBe([RequestType.Query]);
        asking.Best!.Rules.ShouldContain("query:question-sentences");

        Classify("Can you remove me please? Is it possible to do that soon?").Intents.ShouldBeEmpty();
    }

    [Fact]
    public void A_second_wish_weaker_than_full_confidence_sends_the_message_to_a_person_with_both_offered()
    {
        var result = Classify("Please withdraw my interview from the study. I would also like my transcript first.");

        result.NeedsTriage.ShouldBeTrue();
        result.TriageWhy.ShouldBe(TriageWhy.Uncertain);
        result.Offered.ShouldBe([RequestType.Withdraw, RequestType.Access]);
        result.Rules.ShouldBe(["withdraw:frame-remove-my-contribution", "withdraw:withdraw-my-interview", "access:my-transcript"]);
    }

    [Fact]
    public void A_negation_reaches_over_an_article_and_not_across_a_but()
    {
        Types(Classify("This is not a complaint, I just have a question about the report.")).ShouldNotContain(RequestType.Complaint);
        Types(Classify("I do not want to withdraw but I want to make a complaint.")).ShouldBe([RequestType.Complaint]);
    }

    [Fact]
    public void A_reply_subject_is_the_thread_and_is_not_read_and_a_new_subject_is()
    {
        Classify("Thanks for letting me know.", "Re: Your request to withdraw").Intents.ShouldBeEmpty();
        Types(Classify("Thanks.", "Withdraw my interview")).ShouldBe([RequestType.Withdraw]);
    }

    [Fact]
    public void A_job_title_and_a_disclaimer_are_not_read_but_a_forwarded_message_below_a_sign_off_is()
    {
        var signed = RequestClassifier.Default.Classify(Message("Hello", "Could you tell me when the report is out?\n\nKind regards\nSam\nHead of Complaints and Data Breach Response\n"));
        Types(signed).ShouldBe([RequestType.Query]);

        var forwarded = RequestClassifier.Default.Classify(Message(
            "FW: the research",
            "Forwarding on behalf of my director.\n\nKind regards\nJo\n\nFrom: Director <d@example.org>\nSent: 1 December 2026 09:00\nTo: Jo <jo@example.org>\nSubject: the research\n\nPlease ask them to withdraw my interview from the study.\n"));
        Types(forwarded).ShouldBe([RequestType.Withdraw]);
    }

    [Fact]
    public void A_person_writing_an_away_subject_who_asks_for_something_goes_to_triage_and_a_client_auto_reply_is_ignored()
    {
        var person = Decide("Away from the office from the 14th", "Before I go, please send me a copy of my transcript at home.");
        person.Action.ShouldBe(IntakeAction.Triage);
        person.Classification!.TriageWhy.ShouldBe(TriageWhy.AwaySubject);

        Decide("Automatic reply: Away from the office", "Please send me a copy of my transcript.").Action.ShouldBe(IntakeAction.Ignore);
        Decide("Away from the office from the 14th", "I am away until Monday.").Action.ShouldBe(IntakeAction.Ignore);
    }

    [Fact]
    public void Rule_ids_are_ascii_and_fit_an_audit_value_and_a_long_list_is_cut_with_more()
    {
        var welsh = ClassificationRules.Default.Phrases.Single(p => p.Text == "tynnu n ôl");
        welsh.Id.ShouldBe("withdraw:tynnu-n-ol");
        ClassificationRules.Default.Phrases.ShouldAllBe(p => System.Text.RegularExpressions.Regex.IsMatch(p.Id, "^[a-z:-]+[A-Za-z0-9:-]*$"));

        var many = Enumerable.Range(0, 40).Select(i => $"withdraw:rule-number-{i}").ToList();
        var value = RequestAuditEvents.Ids(many);
        value.Length.ShouldBeLessThanOrEqualTo(RequestAuditEvents.MaxValueLength);
        value.ShouldEndWith("+more");
    }

    [Fact]
    public void A_wish_whose_words_stand_apart_in_a_sentence_is_found_by_a_frame_with_its_rule_and_the_rules_words()
    {
        var apart = Classify("I'd rather you didn't have my home address on file - could that be removed please? Everything else is fine.");

        Types(apart).ShouldBe([RequestType.EraseContact]);
        apart.NeedsTriage.ShouldBeFalse();
        apart.Best!.Rules.ShouldBe(["erase-contact:frame-remove-contact-details"]);
        apart.Best.Phrases.ShouldBe(["removed + home address"]);

        // A frame that says the negation itself is not undone by it; one that does not say it is.
        Types(Classify("Had a think and I don't want my interview used after all.")).ShouldBe([RequestType.Withdraw]);
        Classify("I have not removed the interview notes from my home address book.").Intents.ShouldNotContain(i => i.Rules.Any(r => r.Contains("frame-")));
    }

    [Fact]
    public void A_frame_reads_within_one_sentence_and_a_few_words_and_not_in_a_question_that_asks_to_be_told()
    {
        // Each member in another sentence, or far apart in one: no wish.
        Classify("Please remove the stapler from the office. My home address is on the back.").Intents.ShouldBeEmpty();
        Classify("Please remove the boxes that were left behind at the back of the hall after the event, and my home address is on the form.")
            .Intents.ShouldNotContain(i => i.Type == RequestType.EraseContact);

        // "When will my interview be deleted?" asks to be told: a query, no withdrawal.
        Types(Classify("When will the recording of my interview be deleted?")).ShouldBe([RequestType.Query]);

        // A contrast word starts a new sentence: the first half keeps the interview in, the second removes a number.
        var contrast = Classify("Keep using my interview by all means, but can you bin my mobile number please?");
        Types(contrast).ShouldBe([RequestType.EraseContact]);
    }

    [Fact]
    public void A_word_from_a_frames_unless_list_in_the_sentence_means_it_is_something_else()
    {
        var ons = Classify("Please leave my transcript out of what goes to the ONS.");

        Types(ons).ShouldNotContain(RequestType.Withdraw);
        Types(ons).ShouldContain(RequestType.Objection);
    }

    [Fact]
    public void Words_typed_without_apostrophes_or_accents_read_as_with_them()
    {
        PhraseText.Words("I dont want it, I cant, it isnt").ShouldBe(["i", "do", "not", "want", "it", PhraseText.Break, "i", "can", "not", PhraseText.Break, "it", "is", "not"]);
        PhraseText.Words("Peidiwch a chysylltu").ShouldBe(PhraseText.Words("Peidiwch â chysylltu"));
        Types(Classify("Dim rhagor o e-byst, diolch.")).ShouldBe([RequestType.OptOut]);
    }

    [Fact]
    public void A_frame_is_checked_when_the_rules_are_read()
    {
        const string Head = "version: 1\nfullConfidenceAt: 3\nintentFloor: 0.5\ntriageBelow: 0.6\n";
        var types = string.Concat(RequestType.All.Select(t => $"  {t}:\n    word {t}: 1\n"));
        var good = ClassificationRules.Parse($"{Head}types:\n{types}frames:\n  access:\n    see-mine:\n      weight: 3\n      all:\n        - [see]\n        - [my transcript]\n");
        good.Frames.Single().Id.ShouldBe("access:frame-see-mine");
        good.Frames.Single().Within.ShouldBe(ClassificationFrame.DefaultWithin);

        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse($"{Head}types:\n{types}frames:\n  access:\n    Bad Name:\n      weight: 3\n      all:\n        - [see]\n"))
            .Message.ShouldContain("lower-case letters, digits and hyphens");
        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse($"{Head}types:\n{types}frames:\n  access:\n    empty:\n      weight: 3\n      all:\n        - []\n"))
            .Message.ShouldContain("none empty");
        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse($"{Head}types:\n{types}frames:\n  deletion:\n    x:\n      weight: 3\n      all:\n        - [see]\n"))
            .Message.ShouldContain("'deletion' is not a request type");
        ClassificationRules.Default.Frames.ShouldAllBe(f => System.Text.RegularExpressions.Regex.IsMatch(f.Id, "^[a-z-]+:frame-[a-z0-9-]+$"));
    }

    private static InboundMessage Message(string subject, string text) => Read(Compose(subject, text)).Message!;

    private static IntakeDecision Decide(string subject, string text) =>
        IntakeDecisions.Decide(Read(Compose(subject, text)), [IntakeCorpus.OwnAddress], IntakeCorpus.MessageIdDomain, RequestClassifier.Default);

    private static MimeMessage Compose(string subject, string text)
    {
        var message = new MimeMessage { Subject = subject, MessageId = $"{Guid.NewGuid():N}@example.org" };
        message.From.Add(new MailboxAddress("Sender", "sender@example.org"));
        message.To.Add(new MailboxAddress("Research", IntakeCorpus.OwnAddress));
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    private static InboundReadResult Read(MimeMessage message)
    {
        using var raw = new MemoryStream();
        message.WriteTo(raw);
        return IntakeCorpus.Reader().Read(raw.ToArray());
    }
}
