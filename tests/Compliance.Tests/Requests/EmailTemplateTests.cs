using Compliance.Mail;

namespace Compliance.Tests.Requests;

/// <summary>Every email template renders with the values its caller supplies, in both parts, with a subject carrying the reference.</summary>
public sealed class EmailTemplateTests
{
    private static readonly Dictionary<string, string> AllValues = new(StringComparer.Ordinal)
    {
        ["requestId"] = "DSR-20261125-7KQ2M9XA",
        ["greeting"] = "Dear <Robin & Sam>,",
        ["teamName"] = "Team",
        ["mailbox"] = "team@example.org",
        ["statusLink"] = "https://compliance.example.org/status/DSR-20261125-7KQ2M9XA/token",
        ["dpoName"] = "DPO",
        ["dpoOrganisation"] = "Org",
        ["dpoAddress"] = "Addr",
        ["dpoEmail"] = "dpo@example.org",
        ["icoName"] = "ICO",
        ["icoAddress"] = "Addr",
        ["icoHelpline"] = "0000",
        ["icoWebsite"] = "https://ico.example/",
        ["what"] = "request",
        ["receivedOn"] = "1 March 2026",
        ["code"] = "123456",
        ["codeValidUntil"] = "8 March 2026",
        ["firstRequestId"] = "DSR-20261101-AAAAAAAA",
        ["question"] = "Which session?",
        ["reason"] = "Many recordings.",
        ["newDueDate"] = "1 June 2026",
        ["exemption"] = "the research exemption",
        ["link"] = "https://example.org/x",
        ["linkExpiresOn"] = "8 March 2026",
        ["sharedMaterialNote"] = string.Empty,
        ["heldNote"] = string.Empty,
        ["dueDate"] = "1 April 2026",
        ["daysLeft"] = "7 days",
        ["daysOverdue"] = "1 day",
        ["escalateEvery"] = "1 day",
        ["status"] = "in-progress",
        ["type"] = "access",
        ["studyId"] = "MPATI",
        ["sessionIds"] = "S-AAAAAAAA",
        ["materials"] = "the recordings and transcripts",
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_renders_with_its_reference_and_encodes_html(string kind)
    {
        var email = EmailTemplates.Render(kind, AllValues);

        email.Subject.ShouldContain("[Ref DSR-20261125-7KQ2M9XA]");
        email.Text.ShouldContain("Dear <Robin & Sam>,");
        email.Html.ShouldContain("Dear &lt;Robin &amp; Sam&gt;,");
        email.Text.ShouldNotContain("{{");
        email.Html.ShouldNotContain("{{");
        EmailTemplates.PlaceholdersOf(kind).ShouldAllBe(p => AllValues.ContainsKey(p));
    }

    public static TheoryData<string> StudyKinds => new(StudyEmailKind.All);

    [Theory]
    [MemberData(nameof(StudyKinds))]
    public void Each_study_kind_renders_with_the_study_in_its_subject_and_encodes_html(string kind)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["studyId"] = "MPATI", ["greeting"] = "Dear <Robin & Sam>,", ["teamName"] = "Team", ["mailbox"] = "team@example.org",
            ["deletionDate"] = "1 March 2026", ["rule"] = "deleted once 3 months have passed", ["inventory"] = "  recordings: 1 files", ["held"] = "nothing",
            ["promisedWithin"] = "3 months", ["endOfDataCollection"] = "1 January 2026", ["promisedBy"] = "1 April 2026", ["repeatEvery"] = "1 week",
            ["holdId"] = "H-AAAAAAAA", ["holdKind"] = "legal", ["holdScope"] = "study", ["holdTarget"] = "MPATI", ["reviewOn"] = "1 May 2026",
        };

        var email = EmailTemplates.Render(kind, values);

        email.Subject.ShouldContain("[Study MPATI]");
        email.Html.ShouldContain("Dear &lt;Robin &amp; Sam&gt;,");
        email.Text.ShouldNotContain("{{");
        email.Html.ShouldNotContain("{{");
        EmailTemplates.PlaceholdersOf(kind).ShouldAllBe(p => values.ContainsKey(p));
    }

    public static TheoryData<string> SupplierKinds => new(SupplierEmailKind.All);

    [Theory]
    [MemberData(nameof(SupplierKinds))]
    public void Each_supplier_kind_renders_with_the_supplier_in_its_subject(string kind)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["supplierId"] = "mcgowan", ["supplierName"] = "McGowan <Transcriptions>", ["signedOn"] = "1 May 2025", ["lapsesOn"] = "1 May 2026",
            ["greeting"] = "Hello,", ["teamName"] = "Team", ["mailbox"] = "team@example.org",
        };

        var email = EmailTemplates.Render(kind, values);

        email.Subject.ShouldContain("[Supplier mcgowan]");
        email.Html.ShouldContain("McGowan &lt;Transcriptions&gt;");
        email.Text.ShouldNotContain("{{");
        EmailTemplates.PlaceholdersOf(kind).ShouldAllBe(p => values.ContainsKey(p));
    }

    [Fact]
    public void The_retention_notice_to_a_supplier_names_the_certificate_and_the_date_to_confirm_by()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["studyId"] = "MPATI", ["supplierId"] = "mcgowan", ["certificateId"] = "DC-MPATI-20270105030000000", ["rule"] = "deleted once 3 months have passed",
            ["sessionIds"] = "S-AAAAAAAA, S-BBBBBBBB", ["confirmBy"] = "4 February 2027", ["greeting"] = "Hello <team>,", ["teamName"] = "Team", ["mailbox"] = "team@example.org",
        };

        var email = EmailTemplates.Render(SupplierEmailKind.RetentionNotice, values);

        email.Subject.ShouldContain("[Ref DC-MPATI-20270105030000000]");
        email.Text.ShouldContain("S-AAAAAAAA, S-BBBBBBBB");
        email.Text.ShouldContain("4 February 2027");
        email.Html.ShouldContain("Hello &lt;team&gt;,");
        EmailTemplates.PlaceholdersOf(SupplierEmailKind.RetentionNotice).ShouldAllBe(p => values.ContainsKey(p));
    }

    [Fact]
    public void A_missing_value_is_an_error_naming_it()
    {
        var values = new Dictionary<string, string>(AllValues);
        values.Remove("code");

        Should.Throw<InvalidOperationException>(() => EmailTemplates.Render(EmailKind.VerificationCode, values)).Message.ShouldContain("{{code}}");
    }

    public static TheoryData<string> Kinds => new(EmailKind.All);
}
