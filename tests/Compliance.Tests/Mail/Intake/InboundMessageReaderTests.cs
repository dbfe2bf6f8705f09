using System.Text;
using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

public sealed class InboundMessageReaderTests
{
    private static InboundReadResult Read(string raw) => IntakeCorpus.Reader().Read(Encoding.UTF8.GetBytes(raw.Replace("\n", "\r\n", StringComparison.Ordinal)));

    [Theory]
    [InlineData("<A@B>")]
    [InlineData("<a@b>")]
    [InlineData(" <A@B> ")]
    [InlineData("a@b")]
    [InlineData("\t<A@b>\r\n")]
    public void Message_ids_that_differ_only_in_brackets_whitespace_or_case_give_one_key(string id) =>
        MessageIds.IntakeKeyFor(id).ShouldBe(MessageIds.IntakeKeyFor("a@b"));

    [Fact]
    public void The_key_is_MAIL_and_32_hex_digits_of_the_SHA_256_of_the_normalised_id()
    {
        var key = MessageIds.IntakeKeyFor("<X@Example.org>");

        key.ShouldBe("MAIL-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("x@example.org"u8))[..32]);
        MessageIds.IsIntakeKey(key).ShouldBeTrue();
        MessageIds.IntakeKeyFor("<y@example.org>").ShouldNotBe(key);
    }

    [Fact]
    public void The_same_message_read_twice_gives_the_same_key_and_a_redelivery_with_other_trace_headers_too()
    {
        var raw = "From: a@example.org\nSubject: hi\nMessage-ID: <Abc.123@Example.org>\n\nhello\n";

        var first = Read(raw);
        var second = Read("Received: from relay.example.net\n" + raw);

        first.IntakeKey.ShouldBe(second.IntakeKey);
        first.MessageId.ShouldBe("Abc.123@Example.org"); // kept as written; only the key is case-insensitive
        first.Message!.HasMessageId.ShouldBeTrue();
        first.Sha256.ShouldNotBe(second.Sha256);
    }

    [Fact]
    public void A_message_without_a_Message_ID_is_known_by_the_hash_of_its_bytes()
    {
        var raw = "From: a@example.org\nSubject: no id\nDate: Mon, 11 Jan 2027 10:00:00 +0000\n\nPlease opt me out.\n";

        var first = Read(raw);
        var again = Read(raw);
        var other = Read(raw + "x");

        first.MessageId.ShouldBe("sha256:" + first.Sha256);
        first.Message!.HasMessageId.ShouldBeFalse();
        again.IntakeKey.ShouldBe(first.IntakeKey);
        other.IntakeKey.ShouldNotBe(first.IntakeKey);
        IntakeCorpus.Read("no-message-id-opt-out.eml").IntakeKey.ShouldBe(IntakeCorpus.Read("no-message-id-opt-out.eml").IntakeKey);
    }

    [Fact]
    public void Reads_the_headers_intake_needs()
    {
        var message = IntakeCorpus.Message("reply-gmail-verification-code.eml");

        message.FromAddress.ShouldBe("jamie.rivers@example.com");
        message.FromName.ShouldBe("Jamie Rivers");
        message.Subject.ShouldBe("Re: Your verification code [Ref DSR-20261125-7KQ2M9XA]");
        message.Date.ShouldBe(new DateTimeOffset(2026, 12, 1, 9, 25, 0, TimeSpan.Zero));
        message.InReplyTo.ShouldBe("DSR-20261125-7KQ2M9XA.verification-code-1@research.example.org");
        message.References.ShouldBe(["DSR-20261125-7KQ2M9XA.acknowledgement@research.example.org", "DSR-20261125-7KQ2M9XA.verification-code-1@research.example.org"]);
        message.TextSource.ShouldBe(BodySource.Plain);
        message.ContentTypes.ShouldBe(["multipart/alternative", "text/plain", "text/html"]);
    }

    [Fact]
    public void The_sender_address_is_trimmed_and_lower_case()
    {
        IntakeCorpus.Message("access-outlook-windows-1252-qp.eml").FromAddress.ShouldBe("priya.natarajan@example.com");
        IntakeCorpus.Message("own-address-loop.eml").FromAddress.ShouldBe("mpati@research.example.org");
    }

    [Theory]
    [InlineData("access-outlook-windows-1252-qp.eml", "I\u2019d like to make a subject access request")]
    [InlineData("erase-contact-windows-1252-8bit.eml", "Mark O\u2019Brien")]
    [InlineData("withdraw-iso-8859-1-qp.eml", "Je m'appelle Ren\u00e9e Lef\u00e8vre")]
    [InlineData("withdraw-base64.eml", "Please don\u2019t use my data \u2013 I want to pull out")]
    [InlineData("access-gmail-alternative.eml", "Could I please have a copy of my interview transcript?")]
    public void Bodies_in_any_charset_and_transfer_encoding_are_decoded(string file, string expected) =>
        IntakeCorpus.Message(file).Text.ShouldContain(expected);

    [Fact]
    public void Encoded_words_in_headers_are_decoded()
    {
        var message = IntakeCorpus.Message("withdraw-iso-8859-1-qp.eml");

        message.FromName.ShouldBe("Ren\u00e9e Lef\u00e8vre");
        message.Subject.ShouldBe("Retrait \u00e9tude / withdrawal");
    }

    [Fact]
    public void An_HTML_only_message_is_reduced_to_text()
    {
        var message = IntakeCorpus.Message("access-html-only.eml");

        message.TextSource.ShouldBe(BodySource.Html);
        message.Text.ShouldContain("I would like to see what you hold about me & get a copy of what I said in the focus group.");
        message.Text.ShouldNotContain("tracking");
        message.Text.ShouldNotContain("<");
    }

    [Fact]
    public void Attachments_are_listed_with_name_type_and_decoded_size_but_not_read_as_the_body()
    {
        var pdf = IntakeCorpus.Message("access-with-pdf-attachment.eml");
        var image = IntakeCorpus.Message("rectify-contact-with-inline-image.eml");
        var bounce = IntakeCorpus.Message("bounce-multipart-report.eml");

        pdf.Attachments.ShouldHaveSingleItem().ShouldBe(new InboundAttachment("letter.pdf", "application/pdf", 34 + 2048));
        pdf.Text.ShouldStartWith("Hi there,");
        image.Attachments.ShouldHaveSingleItem().ShouldBe(new InboundAttachment("image001.png", "image/png", 108));
        image.Text.ShouldContain("my name has changed to Hannah Clarke");
        bounce.Attachments.Select(a => a.ContentType).ShouldContain("message/rfc822");
    }

    [Theory]
    [InlineData("", InboundReadReason.Empty)]
    [InlineData("just some words\nand no headers at all\n", InboundReadReason.NoHeaders)]
    [InlineData("To: a@example.org\nSubject: who?\n\nbody\n", InboundReadReason.NoSender)]
    [InlineData("From: not an address\nSubject: x\n\nbody\n", InboundReadReason.NoSender)]
    public void A_message_that_cannot_be_handled_says_why_and_still_has_a_key(string raw, string reason)
    {
        var result = Read(raw);

        result.Status.ShouldBe(InboundReadStatus.Unparseable);
        result.Reason.ShouldBe(reason);
        result.Message.ShouldBeNull();
        MessageIds.IsIntakeKey(result.IntakeKey).ShouldBeTrue();
    }

    [Fact]
    public void An_unparseable_message_with_a_Message_ID_keeps_it_as_its_key()
    {
        var result = IntakeCorpus.Read("malformed-no-sender.eml");

        result.Status.ShouldBe(InboundReadStatus.Unparseable);
        result.IntakeKey.ShouldBe(MessageIds.IntakeKeyFor("nosender@example.org"));
    }

    [Fact]
    public async Task A_message_at_the_limit_is_read_and_one_byte_over_is_too_large()
    {
        var raw = Encoding.ASCII.GetBytes("From: a@example.org\r\nSubject: x\r\nMessage-ID: <limit@example.org>\r\n\r\n" + new string('a', 2000) + "\r\n");
        var atLimit = IntakeCorpus.Reader(maxBytes: raw.Length);
        var belowLimit = IntakeCorpus.Reader(maxBytes: raw.Length - 1);

        (await atLimit.ReadAsync(new MemoryStream(raw), TestContext.Current.CancellationToken)).Status.ShouldBe(InboundReadStatus.Parsed);
        var over = await belowLimit.ReadAsync(new MemoryStream(raw), TestContext.Current.CancellationToken);
        over.Status.ShouldBe(InboundReadStatus.TooLarge);
        over.IntakeKey.ShouldBe(MessageIds.IntakeKeyFor("limit@example.org"));
    }
}
