using Compliance.Mail.Intake;
using Compliance.Requests;

namespace Compliance.Tests.Mail.Intake;

public sealed class RequestClassifierTests
{
    private static Classification Classify(string text, string subject = "") => RequestClassifier.Default.Classify(subject, text);

    private static string[] Types(Classification c) => [.. c.Intents.Select(i => i.Type)];

    [Theory]
    [InlineData("Please send me a copy of my transcript", RequestType.Access)]
    [InlineData("I wish to withdraw from the study", RequestType.Withdraw)]
    [InlineData("Please delete my contact details", RequestType.EraseContact)]
    [InlineData("My email address has changed, please update it", RequestType.RectifyContact)]
    [InlineData("Please do not contact me again", RequestType.OptOut)]
    [InlineData("I object to you processing my data", RequestType.Objection)]
    [InlineData("I want to make a formal complaint", RequestType.Complaint)]
    [InlineData("I have a question: who will see my answers?", RequestType.Query)]
    public void Each_type_is_recognised(string text, string type)
    {
        var result = Classify(text);

        result.NeedsTriage.ShouldBeFalse();
        result.Best!.Type.ShouldBe(type);
        result.Best.Confidence.ShouldBeInRange(0.6, 1);
        result.Best.Phrases.ShouldNotBeEmpty();
    }

    [Fact]
    public void Several_requests_in_one_message_are_several_intents()
    {
        var result = Classify("Send me my transcript and then delete everything.");

        Types(result).ShouldBe([RequestType.Access, RequestType.Withdraw, RequestType.EraseContact], ignoreOrder: true);
        result.Intents.Single(i => i.Type == RequestType.Access).Phrases.ShouldContain("my transcript");
    }

    [Fact]
    public void A_message_longer_than_the_classifier_reads_is_read_to_the_cap_and_goes_to_a_person()
    {
        var filler = string.Concat(Enumerable.Repeat("The weather in Newport was mild and the meeting ran long. ", 20_000));
        var text = "I wish to withdraw from the study. " + filler + " Please also send me my transcript.";

        var result = Classify(text);

        text.Length.ShouldBeGreaterThan(1_000_000);
        result.Truncated.ShouldBeTrue();
        result.NeedsTriage.ShouldBeTrue("a person reads what the rules did not");
        Types(result).ShouldBe([RequestType.Withdraw], "what stands past the cap is never read");
        IntakeDecisions.TriageReasonOf(result).ShouldBe(IntakeDecisions.TooLongReason);

        var atTheCap = Classify("I wish to withdraw from the study. " + filler[..(RequestClassifier.MaxTextChars - 40)]);
        atTheCap.Truncated.ShouldBeFalse();
        atTheCap.NeedsTriage.ShouldBeFalse();
    }

    [Fact]
    public void Case_punctuation_and_curly_apostrophes_do_not_matter() =>
        Types(Classify("PLEASE   DON\u2019T CONTACT ME AGAIN!!!")).ShouldBe([RequestType.OptOut]);

    [Fact]
    public void A_negated_phrase_does_not_count_and_is_reported()
    {
        var result = Classify("Please don't delete my data. I want to update my email address.");

        Types(result).ShouldBe([RequestType.RectifyContact]);
        result.NegatedPhrases.ShouldContain("delete my data");
    }

    [Fact]
    public void A_negation_across_other_words_does_not_count()
    {
        // "not received" is about something else: "my transcript" still counts.
        Types(Classify("I have not received my transcript, please send me a copy")).ShouldContain(RequestType.Access);
    }

    [Fact]
    public void The_subject_counts_and_reply_prefixes_and_our_reference_do_not()
    {
        Types(Classify(string.Empty, "Fwd: RE: Withdraw from the study")).ShouldBe([RequestType.Withdraw]);
        Classify(string.Empty, "Re: [Ref DSR-20261125-7KQ2M9XA]").NeedsTriage.ShouldBeTrue();
    }

    [Theory]
    [InlineData("Hello, please call me.")]
    [InlineData("")]
    [InlineData("I'm not happy.")]
    public void Unclear_messages_need_triage(string text) => Classify(text).NeedsTriage.ShouldBeTrue();

    [Fact]
    public void A_phrase_inside_a_longer_phrase_that_was_found_does_not_count()
    {
        // "delete my contact details" is erasure of contact details; it is not also "delete my ..." data (withdrawal).
        Types(Classify("Please delete my contact details")).ShouldBe([RequestType.EraseContact]);
    }

    [Fact]
    public void The_embedded_rules_cover_every_type_and_are_checked_when_read()
    {
        var rules = ClassificationRules.Default;

        RequestType.All.ShouldAllBe(t => rules.Phrases.Any(p => p.Type == t));
        rules.TriageBelow.ShouldBeInRange(0.01, 1);
        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse("version: 1\nfullConfidenceAt: 3\nintentFloor: 0.5\ntriageBelow: 0.6\ntypes:\n  deletion:\n    delete: 1\n"))
            .Message.ShouldContain("'deletion' is not a request type");
        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse("version: 1\nfullConfidenceAt: 3\nintentFloor: 0.5\ntriageBelow: 0.6\ntypes:\n  access:\n    copy: 1\n"))
            .Message.ShouldContain("no phrases for withdraw");
        Should.Throw<InvalidDataException>(() => ClassificationRules.Parse("version: [\n"));
    }

    [Fact]
    public void The_rules_file_in_data_is_the_one_embedded()
    {
        var onDisk = ClassificationRules.Load(Path.Combine(Compliance.Tests.Infrastructure.Repository.Root, "data", ClassificationRules.FileName));

        onDisk.Phrases.Count.ShouldBe(ClassificationRules.Default.Phrases.Count);
    }
}
