using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

public sealed class MessageScreenTests
{
    private const string Own = "MPATI@research.example.org";

    private static InboundMessage Message(string from = "someone@example.org", string subject = "Please delete my data", IReadOnlyList<string>? types = null, params (string Name, string Value)[] headers) =>
        new(
            MessageId: "m@example.org",
            HasMessageId: true,
            IntakeKey: MessageIds.IntakeKeyFor("m@example.org"),
            FromAddress: from,
            FromName: null,
            Subject: subject,
            Date: null,
            InReplyTo: null,
            References: [],
            Text: "Please delete my data.",
            TextSource: BodySource.Plain,
            Attachments: [],
            Headers: headers.ToDictionary(h => h.Name.ToLowerInvariant(), h => h.Value),
            ContentTypes: types ?? ["text/plain"]);

    private static string Screen(InboundMessage message) => MessageScreen.Screen(message, [Own]).Reason;

    [Fact]
    public void A_person_s_message_is_processed() =>
        MessageScreen.Screen(Message(), [Own]).ShouldBe(new ScreenDecision(ScreenOutcome.Process, ScreenReason.Ordinary));

    [Theory]
    [InlineData("auto-replied", ScreenReason.AutoSubmitted)]
    [InlineData("auto-generated", ScreenReason.AutoSubmitted)]
    [InlineData("Auto-Notified; owner-email=\"x@example.org\"", ScreenReason.AutoSubmitted)]
    [InlineData("no", ScreenReason.Ordinary)]
    [InlineData("No", ScreenReason.Ordinary)]
    public void Auto_Submitted_other_than_no_is_ignored(string value, string reason) =>
        Screen(Message(headers: ("Auto-Submitted", value))).ShouldBe(reason);

    [Theory]
    [InlineData("All", ScreenReason.AutoResponseSuppress)]
    [InlineData("OOF, AutoReply", ScreenReason.AutoResponseSuppress)]
    [InlineData("None", ScreenReason.Ordinary)]
    [InlineData("", ScreenReason.Ordinary)]
    public void X_Auto_Response_Suppress_is_ignored_unless_none(string value, string reason) =>
        Screen(Message(headers: ("X-Auto-Response-Suppress", value))).ShouldBe(reason);

    [Theory]
    [InlineData("bulk", ScreenReason.Precedence)]
    [InlineData("auto_reply", ScreenReason.Precedence)]
    [InlineData("list", ScreenReason.Precedence)]
    [InlineData("junk", ScreenReason.Precedence)]
    [InlineData("Bulk", ScreenReason.Precedence)]
    [InlineData("first-class", ScreenReason.Ordinary)]
    public void Precedence_bulk_auto_reply_list_and_junk_are_ignored(string value, string reason) =>
        Screen(Message(headers: ("Precedence", value))).ShouldBe(reason);

    [Fact]
    public void Other_auto_reply_headers_and_a_null_return_path_are_ignored()
    {
        Screen(Message(headers: ("X-Autoreply", "yes"))).ShouldBe(ScreenReason.AutoReplyHeader);
        Screen(Message(headers: ("X-Autorespond", "1"))).ShouldBe(ScreenReason.AutoReplyHeader);
        Screen(Message(headers: ("Return-Path", "<>"))).ShouldBe(ScreenReason.NullReturnPath);
        Screen(Message(headers: ("Return-Path", "<someone@example.org>"))).ShouldBe(ScreenReason.Ordinary);
    }

    [Theory]
    [InlineData("Automatic reply: We have received your request [Ref DSR-20261125-7KQ2M9XA]", ScreenReason.OutOfOfficeSubject)]
    [InlineData("Out of Office: Re: your request", ScreenReason.OutOfOfficeSubject)]
    [InlineData("Out of the office until Monday", ScreenReason.OutOfOfficeSubject)]
    [InlineData("Auto-Reply: thanks", ScreenReason.OutOfOfficeSubject)]
    [InlineData("AutoReply", ScreenReason.OutOfOfficeSubject)]
    [InlineData("Undeliverable: Your verification code", ScreenReason.DeliveryReportSubject)]
    [InlineData("Mail delivery failed: returning message to sender", ScreenReason.DeliveryReportSubject)]
    [InlineData("I'm out of office a lot, please delete my data", ScreenReason.Ordinary)]
    [InlineData("Re: Automatic replies are annoying", ScreenReason.Ordinary)]
    public void Out_of_office_and_delivery_failure_subjects_are_ignored_only_at_the_start(string subject, string reason) =>
        Screen(Message(subject: subject)).ShouldBe(reason);

    [Fact]
    public void Delivery_reports_and_mailer_daemons_are_ignored()
    {
        Screen(Message(types: ["multipart/report", "text/plain", "message/delivery-status"])).ShouldBe(ScreenReason.DeliveryReport);
        Screen(Message(types: ["message/delivery-status"])).ShouldBe(ScreenReason.DeliveryReport);
        Screen(Message(from: "mailer-daemon@mx.example.org")).ShouldBe(ScreenReason.MailerDaemon);
        Screen(Message(from: "postmaster@example.com")).ShouldBe(ScreenReason.MailerDaemon);
        Screen(Message(from: "postmaster.general@example.com")).ShouldBe(ScreenReason.Ordinary);
    }

    [Fact]
    public void Mail_from_our_own_address_is_ignored_whatever_its_case()
    {
        Screen(Message(from: "mpati@research.example.org")).ShouldBe(ScreenReason.OwnAddress);
        MessageScreen.Screen(Message(from: "mpati@research.example.org"), []).ShouldProcess.ShouldBeTrue();
    }

    [Fact]
    public void Our_own_address_wins_over_every_other_reason()
    {
        Screen(Message(from: "mpati@research.example.org", subject: "Automatic reply: x", headers: ("Auto-Submitted", "auto-replied"))).ShouldBe(ScreenReason.OwnAddress);
    }
}
