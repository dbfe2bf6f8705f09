using Compliance.Policies;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Compliance.Mail;

/// <summary>The kinds of email about a study (not a request) to its staff; templates beside the request ones.</summary>
public static class StudyEmailKind
{
    public const string RetentionWarning = "retention-warning";
    public const string PublicationPromiseAlert = "publication-promise-alert";
    public const string HoldReviewReminder = "hold-review-reminder";

    public static IReadOnlyList<string> All { get; } = [RetentionWarning, PublicationPromiseAlert, HoldReviewReminder];
}

/// <summary>The kinds of email about a supplier's contract, to the DPO.</summary>
public static class SupplierEmailKind
{
    public const string ContractWarning = "supplier-contract-warning";
    public const string Suspended = "supplier-suspended";

    public static IReadOnlyList<string> All { get; } = [ContractWarning, Suspended];

    /// <summary>To a supplier, after a retention sweep: delete your copies of these sessions' material, and confirm.</summary>
    public const string RetentionNotice = "supplier-retention-notice";
}

/// <summary>
/// Builds emails about a study to its staff (the DPO, and the researchers through the research mailbox): ids, dates and
/// counts only. Outbox names are <c>studies/{studyId}/{messageKey}.eml</c>, so each is written once per key.
/// </summary>
public sealed class StudyEmails(IOptions<MailOptions> options)
{
    /// <summary>The outbox blob name of a study email.</summary>
    public static string BlobNameFor(string studyId, string messageKey) => $"studies/{studyId}/{messageKey}.eml";

    /// <summary>The outbox metadata of a study email: ids and the kind, never an address.</summary>
    public static Dictionary<string, string> MetadataFor(string studyId, string kind) =>
        new(StringComparer.Ordinal) { ["studyId"] = studyId, ["kind"] = kind, ["state"] = "pending" };

    /// <summary>The outbox blob name of a supplier email.</summary>
    public static string SupplierBlobNameFor(string supplierId, string messageKey) => $"suppliers/{supplierId}/{messageKey}.eml";

    /// <summary>An email of <paramref name="kind"/> about supplier <paramref name="supplierId"/>, to the DPO of <paramref name="policy"/>.</summary>
    public MimeMessage BuildForSupplier(string supplierId, StudyPolicy policy, string kind, string messageKey, IReadOnlyDictionary<string, string> values, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var all = new Dictionary<string, string>(values, StringComparer.Ordinal) { ["supplierId"] = supplierId };
        return Compose($"supplier.{supplierId}.{messageKey}", policy, kind, all, [Dpo(policy)], sentAt);
    }

    /// <summary>An email of <paramref name="kind"/> about study <paramref name="studyId"/> to supplier <paramref name="supplierId"/> at <paramref name="to"/>.</summary>
    public MimeMessage BuildToSupplier(string supplierId, MailboxAddress to, string studyId, StudyPolicy policy, string kind, string messageKey, IReadOnlyDictionary<string, string> values, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(values);
        var all = new Dictionary<string, string>(values, StringComparer.Ordinal) { ["studyId"] = studyId, ["supplierId"] = supplierId };
        return Compose($"supplier.{supplierId}.{studyId}.{messageKey}", policy, kind, all, [to], sentAt);
    }

    /// <summary>An email of <paramref name="kind"/> to the DPO, and to the researchers when <paramref name="toResearchers"/>.</summary>
    public MimeMessage Build(string studyId, StudyPolicy policy, string kind, string messageKey, IReadOnlyDictionary<string, string> values, bool toResearchers, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(values);
        var all = new Dictionary<string, string>(values, StringComparer.Ordinal) { ["studyId"] = studyId };
        return Compose($"{studyId}.{messageKey}", policy, kind, all, toResearchers ? [Dpo(policy), Researchers(policy)] : [Dpo(policy)], sentAt);
    }

    private static MailboxAddress Dpo(StudyPolicy policy) => new(policy.Dpo.Name, policy.Dpo.Email);

    private static MailboxAddress Researchers(StudyPolicy policy) => new(policy.Team.Name, policy.ResearchMailbox);

    private MimeMessage Compose(string messageIdLocalPart, StudyPolicy policy, string kind, Dictionary<string, string> all, IReadOnlyList<MailboxAddress> to, DateTimeOffset sentAt)
    {
        all["greeting"] = "Hello,";
        all["teamName"] = policy.Team.Name;
        all["mailbox"] = policy.ResearchMailbox;
        var rendered = EmailTemplates.Render(kind, all);
        var message = new MimeMessage { MessageId = $"{messageIdLocalPart}@{options.Value.EffectiveMessageIdDomain}", Subject = rendered.Subject, Date = sentAt };
        message.From.Add(Researchers(policy));
        message.To.AddRange(to);

        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new MultipartAlternative
        {
            new TextPart(TextFormat.Plain) { Text = rendered.Text },
            new TextPart(TextFormat.Html) { Text = rendered.Html },
        };
        return message;
    }
}
