using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

public sealed class ReplyMatcherTests
{
    private const string Id = "DSR-20261125-7KQ2M9XA";

    [Fact]
    public void In_Reply_To_names_the_request_and_the_message_answered()
    {
        var match = ReplyMatcher.Match($"<{Id}.verification-code-2@research.example.org>", [], "Re: hello", "Sure", "research.example.org");

        match.ShouldBe(new ReplyMatch(Id, "verification-code-2", ReplyEvidence.InReplyTo, null));
    }

    [Fact]
    public void The_newest_of_our_References_counts_when_In_Reply_To_is_not_ours()
    {
        var match = ReplyMatcher.Match("other@example.com", [$"{Id}.acknowledgement@research.example.org", "x@example.com", $"{Id}.clarification-a1@research.example.org"], null, null);

        match.ShouldBe(new ReplyMatch(Id, "clarification-a1", ReplyEvidence.References, null));
    }

    [Theory]
    [InlineData("Re: Your verification code [Ref DSR-20261125-7KQ2M9XA]")]
    [InlineData("RE: RE: [ref dsr-20261125-7kq2m9xa] thanks")]
    [InlineData("Fwd: [Ref: DSR-20261125-7KQ2M9XA]")]
    [InlineData("About DSR-20261125-7KQ2M9XA")]
    public void The_subject_alone_is_enough(string subject) =>
        ReplyMatcher.Match(null, null, subject, "text").ShouldBe(new ReplyMatch(Id, null, ReplyEvidence.Subject, null));

    [Theory]
    [InlineData("Re: my request")]
    [InlineData("[Ref DSR-20261125-7KQ2M9XI]")] // I is not in the id alphabet
    [InlineData("XDSR-20261125-7KQ2M9XA")]
    public void Without_a_request_id_nothing_matches(string subject) =>
        ReplyMatcher.Match("someone@example.com", ["a@example.com"], subject, "text").ShouldBeNull();

    [Fact]
    public void Ids_of_another_domain_are_not_ours_when_the_domain_is_given()
    {
        ReplyMatcher.Ours($"<{Id}.outcome@elsewhere.example.com>", "research.example.org").ShouldBeNull();
        ReplyMatcher.Ours($"<{Id}.outcome@RESEARCH.example.org>", "research.example.org").ShouldBe((Id, "outcome"));
        ReplyMatcher.Ours($"{Id}.outcome@elsewhere.example.com").ShouldBe((Id, "outcome"));
        ReplyMatcher.Ours("CAJr8Xw1q9PZ3@mail.example.com").ShouldBeNull();
    }

    [Fact]
    public void The_code_comes_from_the_new_text_and_never_from_the_quote()
    {
        const string text = "Thanks!\n\nOn Tue, 1 Dec 2026 at 09:20, Research <mpati@research.example.org> wrote:\n> Your code is:\n>     482913\n";

        ReplyMatcher.Match(null, null, $"Re: [Ref {Id}]", text)!.VerificationCode.ShouldBeNull();
        ReplyMatcher.Match(null, null, $"Re: [Ref {Id}]", "It is 604218\n" + text)!.VerificationCode.ShouldBe("604218");
    }

    [Theory]
    [InlineData("My code is 482913.", "482913")]
    [InlineData("482 913", "482913")]
    [InlineData("Code:482913", "482913")]
    [InlineData("482913 and again 482913", "482913")]
    [InlineData("123456 or 654321?", null)] // two different codes: no guess
    [InlineData("My number is 07700 900461", null)]
    [InlineData("Call 020 7946 0958", null)]
    [InlineData("Reference DSR-20261125-7KQ2M9XA", null)]
    [InlineData("1234567", null)]
    [InlineData("12345", null)]
    [InlineData("on 25/11/2026 at 10:00", null)]
    public void A_six_digit_code_is_found_only_when_it_is_unambiguous(string text, string? code) =>
        ReplyMatcher.VerificationCode(text).ShouldBe(code);
}
