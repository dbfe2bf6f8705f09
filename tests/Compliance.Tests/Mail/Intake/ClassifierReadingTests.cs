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
        result.Rules.ShouldBe(["withdraw:withdraw-my-interview", "access:my-transcript"]);
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
