using System.ComponentModel.DataAnnotations;

namespace Compliance.Mail.Intake;

/// <summary>Limits of email intake (configuration section <c>Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>35 MB: above Exchange Online's default 25 MB receive limit once base64 has grown attachments by a third.</summary>
    public const long DefaultMaxMessageBytes = 35L * 1024 * 1024;

    /// <summary>The largest raw message, in bytes, that is parsed; a larger one is reported <see cref="InboundReadStatus.TooLarge"/>.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>100 MB: Azure Functions' own request limit. A larger body is refused (413); up to it, a message is stored, and one
    /// above <see cref="MaxMessageBytes"/> is quarantined rather than parsed.</summary>
    public const long DefaultMaxAcceptedBytes = 100L * 1024 * 1024;

    /// <summary>The largest raw message, in bytes, that <c>POST /api/mail/inbound</c> stores.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxAcceptedBytes { get; set; } = DefaultMaxAcceptedBytes;

    /// <summary>
    /// The key a relay (a Logic App, an SMTP gateway) presents in <c>x-functions-key</c> to post raw mail without a staff
    /// sign-in. In Azure it is a Key Vault reference; unset, only an Admin principal may post.
    /// </summary>
    public string? RelayKey { get; set; }

    /// <summary>The study whose research mailbox this is: requests that arrive by email are requests of this study.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string StudyId { get; set; } = "MPATI";

    /// <summary>How long staff have for an email task (triage, quarantine, a reply to read), from the message's receipt.</summary>
    public TimeSpan TaskDueAfter { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How far back the catch-up looks for stored messages whose intake work never started (a host died in between).</summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromDays(7);
}
