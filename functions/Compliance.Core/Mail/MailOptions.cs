using System.ComponentModel.DataAnnotations;

namespace Compliance.Mail;

/// <summary>How outgoing email is addressed (configuration section <c>Mail</c>).</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    /// <summary>
    /// The deployment's research mailbox: Message-IDs take its domain, and intake knows mail from it as its own. Each email's
    /// From is its study policy's <c>researchMailbox</c>, shown with the policy's <c>team.name</c>.
    /// </summary>
    [Required, EmailAddress]
    public string FromAddress { get; set; } = string.Empty;

    /// <summary>The right-hand side of the Message-IDs we generate; defaults to the mailbox's domain.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>The domain used in Message-IDs.</summary>
    public string EffectiveMessageIdDomain =>
        string.IsNullOrWhiteSpace(MessageIdDomain) ? FromAddress[(FromAddress.IndexOf('@', StringComparison.Ordinal) + 1)..] : MessageIdDomain;
}
