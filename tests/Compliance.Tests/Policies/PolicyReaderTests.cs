using System.Text.Json;
using Compliance.Policies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Policies;

/// <summary>The MPATI policy file drives every value; every kind of mistake in a policy is named by its field.</summary>
public sealed class PolicyReaderTests
{
    private static readonly string MpatiText = File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml"));

    [Fact]
    public void The_MPATI_policy_holds_the_notices_promises()
    {
        var policy = PolicyReader.Read(MpatiText, "mpati.yaml");

        policy.Study.Name.ShouldBe("Public Sector Management Practices qualitative follow-up");
        policy.Study.Purpose.ShouldContain("Public Sector Management Practices Survey (PSMPS)");
        policy.Study.Purpose.ShouldContain("research only");
        policy.Study.Purpose.ShouldNotContain("\n", customMessage: "a folded paragraph, read as one");
        policy.Team.Name.ShouldBe("NatCen research team");
        policy.Controller.Name.ShouldContain("Office for National Statistics");
        policy.Processor.Name.ShouldContain("NatCen");
        policy.ResearchMailbox.ShouldBe("MPATI@natcen.ac.uk");
        policy.Dpo.Email.ShouldBe("dpo@natcen.ac.uk");
        policy.Dpo.Address.ShouldContain("CM14 4LX");
        policy.Ico.Helpline.ShouldBe("0303 123 1113");
        policy.Ico.Website.ShouldBe("https://ico.org.uk/make-a-complaint/");
        policy.Access.TranscriptAvailableAfterSession.ShouldBe(new Period(10, PeriodUnit.Days));
        policy.Withdrawal.CutOff.ShouldBe(new DateOnly(2024, 9, 2));
        policy.Withdrawal.IsInTime(new DateOnly(2024, 9, 1)).ShouldBeTrue();
        policy.Withdrawal.IsInTime(new DateOnly(2024, 9, 2)).ShouldBeFalse("the notice says only possible *before* the cut-off");
        policy.Retention.DeleteAfterPublication.ShouldBe(new Period(3, PeriodUnit.Months));
        policy.Retention.PublicationPromisedWithin.ShouldBe(new Period(3, PeriodUnit.Months));
        policy.Suppliers.ContractTerm.ShouldBe(new Period(12, PeriodUnit.Months));
        policy.Suppliers.WarnBefore.ShouldBe(new Period(30, PeriodUnit.Days));
        policy.Suppliers.ConfirmDeletionWithin.ShouldBe(new Period(30, PeriodUnit.Days));
        policy.Verification.ShouldBe(new VerificationPolicy(new Period(7, PeriodUnit.Days), new Period(2, PeriodUnit.Days), 5, new Period(30, PeriodUnit.Days)));
        policy.Deadlines.RemindBefore.ShouldBe([new Period(7, PeriodUnit.Days), new Period(2, PeriodUnit.Days)]);
        policy.Notice.Version.ShouldNotBeNullOrWhiteSpace();
        policy.PolicyVersion.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void A_policy_written_before_confirmDeletionWithin_existed_gets_its_default()
    {
        var older = MpatiText.Replace("  confirmDeletionWithin: 30 days\n", string.Empty, StringComparison.Ordinal).Replace("\r\n  confirmDeletionWithin: 30 days", string.Empty, StringComparison.Ordinal);
        older.ShouldNotContain("confirmDeletionWithin: 30 days");

        PolicyReader.Read(older, "older.yaml").Suppliers.ConfirmDeletionWithin.ShouldBe(SupplierPolicy.DefaultConfirmDeletionWithin);
    }

    [Theory]
    [InlineData("  cutOff: 2024-09-02", "  cutOff: 2nd September 2024", "withdrawal.cutOff", "yyyy-mm-dd")]
    [InlineData("transcriptAvailableAfterSession: 10 days", "transcriptAvailableAfterSession: ten days", "access.transcriptAvailableAfterSession", "period")]
    [InlineData("deleteAfterPublication: 3 months", "deleteAfterPublication: 3 fortnights", "retention.deleteAfterPublication", "period")]
    [InlineData("researchMailbox: MPATI@natcen.ac.uk", "researchMailbox: MPATI at natcen", "researchMailbox", "email address")]
    [InlineData("  email: dpo@natcen.ac.uk", "  email: ''", "dpo.email", "required")]
    [InlineData("  website: https://ico.org.uk/make-a-complaint/", "  website: http://ico.org.uk/", "ico.website", "https://")]
    [InlineData("  cutOffRule: before", "  cutOffRule: on or before", "withdrawal.cutOffRule", "before")]
    [InlineData("  maxAttempts: 5", "  maxAttempts: 0", "verification.maxAttempts", "whole number")]
    [InlineData("  confirmDeletionWithin: 30 days", "  confirmDeletionWithin: a month", "suppliers.confirmDeletionWithin", "period")]
    [InlineData("  confirmDeletionWithin: 30 days", "  confirmDeletionWithin: 0 days", "suppliers.confirmDeletionWithin", "at least 1")]
    [InlineData("  maxAttempts: 5", "  maxAttempts: five", "verification.maxAttempts", "whole number")]
    [InlineData("  remindBefore: [7 days, 2 days]", "  remindBefore: []", "deadlines.remindBefore", "list")]
    [InlineData("  remindBefore: [7 days, 2 days]", "  remindBefore: [7 days, soon]", "deadlines.remindBefore[1]", "period")]
    [InlineData("  contractTerm: 12 months", "  contractTerm: 12 months\n  renewal: automatic", "suppliers.renewal", "not a policy field")]
    [InlineData("history:\n  purgeCompletedAfter: 30 days\n", "history: 30 days\n", "history", "mapping")]
    [InlineData("  contractTerm: 12 months", "  contractTerm: 0 months", "suppliers.contractTerm", "at least 1")]
    [InlineData("team:\n  name: NatCen research team\n", "", "team", "signs participants' emails")]
    [InlineData("  name: NatCen research team", "  name: ''", "team.name", "required")]
    [InlineData("  name: NatCen research team", "  name: \"NatCen\\r\\nBcc: x@example.org\"", "team.name", "one line")]
    [InlineData("  name: Public Sector Management Practices qualitative follow-up\n", "", "study.name", "required")]
    public void Each_kind_of_mistake_is_named_by_its_field(string original, string replacement, string field, string reason)
    {
        MpatiText.ShouldContain(original);
        var broken = MpatiText.Replace(original, replacement, StringComparison.Ordinal);

        var error = Should.Throw<PolicyValidationException>(() => PolicyReader.Read(broken, "broken.yaml"));

        error.Errors.ShouldContain(e => e.Field == field && e.Message.Contains(reason, StringComparison.OrdinalIgnoreCase), string.Join("; ", error.Errors));
        error.Message.ShouldContain("broken.yaml");
        error.Message.ShouldContain(field);
    }

    [Fact]
    public void A_missing_section_and_a_missing_field_are_both_reported()
    {
        var broken = MpatiText
            .Replace("controller:\n  name: Office for National Statistics (ONS)\n  email: psmps@ons.gov.uk\n", string.Empty, StringComparison.Ordinal)
            .Replace("  exportLinkValidFor: 7 days\n", string.Empty, StringComparison.Ordinal);

        var (policy, errors) = PolicyReader.TryRead(broken);

        policy.ShouldBeNull();
        errors.Select(e => e.Field).ShouldBe(["controller", "access.exportLinkValidFor"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("notice: [unclosed", "(file)")]
    [InlineData("- a list\n- not a mapping", "(file)")]
    [InlineData("", "(file)")]
    public void A_file_that_is_not_a_mapping_is_refused(string text, string field)
    {
        var (policy, errors) = PolicyReader.TryRead(text);

        policy.ShouldBeNull();
        errors.ShouldHaveSingleItem().Field.ShouldBe(field);
    }

    [Fact]
    public void JSON_is_read_the_same_as_YAML()
    {
        var yaml = PolicyReader.Read(MpatiText, "mpati.yaml");
        var json = JsonSerializer.Serialize(new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(MpatiText));

        var fromJson = PolicyReader.Read(json, "mpati.json");

        fromJson.Withdrawal.ShouldBe(yaml.Withdrawal);
        fromJson.Deadlines.RemindBefore.ShouldBe(yaml.Deadlines.RemindBefore);
        fromJson.Ico.ShouldBe(yaml.Ico);
    }

    [Fact]
    public void The_schema_names_the_same_fields_the_reader_knows()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "policies", "policy.schema.json")));
        var schemaFields = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var required = schema.RootElement.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).ToList();

        // A policy with only the schema's required fields is complete for the reader; one without any of them is not.
        var (_, errors) = PolicyReader.TryRead("{}");
        errors.Select(e => e.Field).Order(StringComparer.Ordinal).ShouldBe(required.Order(StringComparer.Ordinal));
        schemaFields.ShouldContain("redactionList");
        schemaFields.Count.ShouldBe(required.Count + 1);
    }

    [Theory]
    [InlineData("10 days", 10, PeriodUnit.Days, "2024-01-31", "2024-02-10")]
    [InlineData("1 month", 1, PeriodUnit.Months, "2024-01-31", "2024-02-29")]
    [InlineData("3 months", 3, PeriodUnit.Months, "2024-11-30", "2025-02-28")]
    [InlineData("12 months", 12, PeriodUnit.Months, "2024-02-29", "2025-02-28")]
    [InlineData("2 weeks", 2, PeriodUnit.Weeks, "2024-12-25", "2025-01-08")]
    public void Periods_add_calendar_time(string text, int count, PeriodUnit unit, string from, string to)
    {
        Period.TryParse(text, out var period).ShouldBeTrue();

        period.ShouldBe(new Period(count, unit));
        period.AddTo(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("three months")]
    [InlineData("-1 days")]
    [InlineData("1.5 months")]
    [InlineData("99999 days")]
    [InlineData("")]
    public void Periods_that_are_not_periods_are_refused(string text) => Period.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void No_number_or_date_of_the_notice_is_written_in_code()
    {
        // The notice's values live in policies/; this guards against them creeping back into the code.
        string[] forbidden = ["2024-09-02", "2024, 9, 2", "AddDays(10)", "AddMonths(3)", "AddMonths(12)", "natcen.ac.uk", "0303 123 1113", "ico.org.uk", "NatCen research team"];
        var sources = Directory.EnumerateFiles(Path.Combine(Repository.Root, "functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var offences = sources.SelectMany(f => forbidden.Where(s => File.ReadAllText(f).Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{Path.GetFileName(f)}: {s}")).ToList();

        offences.ShouldBeEmpty();
    }
}
