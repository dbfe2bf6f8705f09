using System.ComponentModel.DataAnnotations;

namespace Compliance.Intake;

/// <summary>Limits of email intake (configuration section <c>Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>35 MB: above Exchange Online's default 25 MB receive limit once base64 has grown attachments by a third.</summary>
    public const long DefaultMaxMessageBytes = 35L * 1024 * 1024;

    /// <summary>The largest raw message, in bytes, that is parsed; a larger one is reported <see cref="InboundReadStatus.TooLarge"/>.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;
}
