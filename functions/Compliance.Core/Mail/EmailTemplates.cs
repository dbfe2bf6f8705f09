using System.Net;
using System.Text.RegularExpressions;

namespace Compliance.Mail;

/// <summary>The kinds of email the system sends; each has a <c>.txt</c> and an <c>.html</c> template under Mail/Templates.</summary>
public static class EmailKind
{
    public const string Acknowledgement = "acknowledgement";
    public const string AcknowledgementDpo = "acknowledgement-dpo";
    public const string VerificationCode = "verification-code";
    public const string VerificationReminder = "verification-reminder";
    public const string IdentityDetailsNeeded = "identity-details-needed";
    public const string UnverifiedClosed = "unverified-closed";
    public const string Duplicate = "duplicate";
    public const string Clarification = "clarification";
    public const string Extension = "extension";
    public const string Refusal = "refusal";
    public const string OutcomeAccess = "outcome-access";
    public const string OutcomeWithdraw = "outcome-withdraw";
    public const string OutcomeEraseContact = "outcome-erase-contact";
    public const string OutcomeRectifyContact = "outcome-rectify-contact";
    public const string OutcomeOptOut = "outcome-opt-out";
    public const string OutcomeReviewed = "outcome-reviewed";
    public const string OutcomeNoData = "outcome-no-data";
    public const string AddressConfirmation = "address-confirmation";
    public const string DpoDeadlineReminder = "dpo-deadline-reminder";
    public const string DpoDeadlineEscalation = "dpo-deadline-escalation";
    public const string SupplierDeletionNotice = "supplier-deletion-notice";

    public static IReadOnlyList<string> All { get; } =
    [
        Acknowledgement, AcknowledgementDpo, VerificationCode, VerificationReminder, IdentityDetailsNeeded, UnverifiedClosed, Duplicate,
        Clarification, Extension, Refusal, OutcomeAccess, OutcomeWithdraw, OutcomeEraseContact, OutcomeRectifyContact, OutcomeOptOut,
        OutcomeReviewed, OutcomeNoData, AddressConfirmation, DpoDeadlineReminder, DpoDeadlineEscalation, SupplierDeletionNotice,
    ];
}

/// <summary>An email rendered from its templates.</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>
/// Renders the email templates: <c>{{name}}</c> placeholders, HTML-encoded in the HTML part. The plain-text template's first
/// line is <c>Subject: …</c>. A placeholder without a value is an error, so a template and its caller cannot drift apart.
/// </summary>
public static partial class EmailTemplates
{
    /// <summary>Renders <paramref name="kind"/> with <paramref name="values"/>.</summary>
    public static RenderedEmail Render(string kind, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = Load(kind, "txt");
        var html = Load(kind, "html");
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var firstLine = newline < 0 ? text : text[..newline];
        if (!firstLine.StartsWith("Subject: ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The template {kind}.txt must start with a 'Subject: ' line.");
        }

        return new RenderedEmail(
            Fill(kind, firstLine["Subject: ".Length..].Trim(), values, encode: false),
            Fill(kind, text[(newline + 1)..], values, encode: false).Trim() + "\n",
            Fill(kind, html, values, encode: true));
    }

    /// <summary>The placeholders a template uses (both parts).</summary>
    public static IReadOnlySet<string> PlaceholdersOf(string kind) =>
        Placeholder().Matches(Load(kind, "txt") + Load(kind, "html")).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    private static string Fill(string kind, string template, IReadOnlyDictionary<string, string> values, bool encode) =>
        Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (!values.TryGetValue(name, out var value))
            {
                throw new InvalidOperationException($"The template {kind} uses {{{{{name}}}}}, which was not given.");
            }

            return encode ? WebUtility.HtmlEncode(value) : value;
        });

    private static string Load(string kind, string extension)
    {
        using var stream = typeof(EmailTemplates).Assembly.GetManifestResourceStream($"Compliance.Mail.Templates.{kind}.{extension}")
            ?? throw new InvalidOperationException($"There is no email template {kind}.{extension}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{\{([A-Za-z][A-Za-z0-9]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
