using System.ComponentModel.DataAnnotations;

namespace Compliance.Mail;

/// <summary>The SMTP server the <c>smtp</c> transport sends through (configuration section <c>Smtp</c>).</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>The server's host name; required when <c>Mail:Transport</c> is <c>smtp</c>.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The server's port: 587 for submission with STARTTLS, 465 for TLS from the start, 25 for a relay.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary><c>starttls</c> (TLS required after connecting), <c>ssl</c> (TLS from the start) or <c>none</c> (no TLS: a local relay only).</summary>
    [AllowedValues("none", "starttls", "ssl")]
    public string Security { get; set; } = "starttls";

    /// <summary>The user name to authenticate with; empty means no authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for <see cref="UserName"/> (a Key Vault reference in Azure).</summary>
    public string? Password { get; set; }
}
