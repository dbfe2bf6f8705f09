using System.ComponentModel.DataAnnotations;

namespace Compliance.Mail;

/// <summary>How outgoing email is addressed (configuration section <c>Mail</c>).</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    /// <summary>The research mailbox that emails come from and replies go to.</summary>
    [Required, EmailAddress]
    public string FromAddress { get; set; } = string.Empty;

    /// <summary>The display name shown with <see cref="FromAddress"/>.</summary>
    [Required]
    public string FromName { get; set; } = string.Empty;

    /// <summary>The right-hand side of the Message-IDs we generate; defaults to the mailbox's domain.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>The domain used in Message-IDs.</summary>
    public string EffectiveMessageIdDomain =>
        string.IsNullOrWhiteSpace(MessageIdDomain) ? FromAddress[(FromAddress.IndexOf('@', StringComparison.Ordinal) + 1)..] : MessageIdDomain;
}
