using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

public sealed class ReplyTextTests
{
    [Fact]
    public void Quoted_lines_are_dropped() =>
        ReplyText.NewText("Yes please.\n> Do you want a copy?\n>> Older\nThanks").ShouldBe("Yes please.\nThanks");

    [Theory]
    [InlineData("On Tue, 1 Dec 2026 at 09:20, Research Team <mpati@research.example.org> wrote:")]
    [InlineData("On Tue, 1 Dec 2026 at 09:20, Research Team <mpati@research.example.org>\nwrote:")]
    [InlineData("-----Original Message-----\nFrom: Research Team\nSent: Tuesday")]
    [InlineData("________________________________\nFrom: Research Team <mpati@research.example.org>\nSent: 02 December 2026 14:40")]
    [InlineData("From: Research Team <mpati@research.example.org>\nSent: 02 December 2026 14:40\nTo: me")]
    [InlineData("From: Research Team <mpati@research.example.org>\nDate: 02 December 2026 14:40\nTo: me")]
    [InlineData("-- \nJamie Rivers\nCode 999999")]
    public void Everything_from_a_reply_header_on_is_dropped(string header) =>
        ReplyText.NewText($"My answer.\n\n{header}\nYour code is 123456\nPlease delete everything").ShouldBe("My answer.");

    [Fact]
    public void A_forwarded_message_keeps_its_text_without_its_header_block()
    {
        const string text = "See below.\n\n---------- Forwarded message ---------\nFrom: Noah <noah@example.com>\nDate: Fri, 8 Jan 2027\nSubject: Withdraw\nTo: <info@example.com>\n\n\nI would like to withdraw.\n";

        ReplyText.NewText(text).ShouldBe("See below.\n\nI would like to withdraw.");
        ReplyText.NewText("Begin forwarded message:\n\nFrom: a@example.com\nSubject: x\n\nPlease opt me out").ShouldBe("Please opt me out");
    }

    [Fact]
    public void A_line_starting_From_in_a_sentence_is_kept() =>
        ReplyText.NewText("From: my side, nothing changed.\nI still want a copy.").ShouldBe("From: my side, nothing changed.\nI still want a copy.");
}
