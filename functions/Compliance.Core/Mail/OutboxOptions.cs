using System.ComponentModel.DataAnnotations;

namespace Compliance.Mail;

/// <summary>How the outbox sender retries and claims messages (configuration section <c>Outbox</c>).</summary>
public sealed class OutboxOptions : IValidatableObject
{
    public const string SectionName = "Outbox";

    /// <summary>Attempts per message, the first included; after the last failed one the message is <c>failed</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait before the second attempt; each later wait doubles, up to <see cref="MaxRetryAfter"/>, then jitter takes up to half off.</summary>
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take before it is abandoned (it then counts as failed).</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a claim (<c>state=sending</c>) holds. An older claim is taken for a sender that died mid-send and is claimed
    /// again. Longer than <see cref="SendTimeout"/>, so a live sender's claim is never taken from it.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many messages one sender run sends at the same time.</summary>
    [Range(1, 64)]
    public int MaxParallelSends { get; set; } = 4;

    /// <summary>How many blobs one listing page holds; each page is sent as one bounded parallel batch.</summary>
    [Range(1, 5000)]
    public int PageSize { get; set; } = 100;

    /// <summary>When the DPO's task for a message that could not be sent falls due, after it failed.</summary>
    public TimeSpan FailedTaskDueAfter { get; set; } = TimeSpan.FromDays(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstRetryAfter <= TimeSpan.Zero || MaxRetryAfter < FirstRetryAfter)
        {
            yield return new ValidationResult("FirstRetryAfter must be positive and MaxRetryAfter at least FirstRetryAfter.", [nameof(FirstRetryAfter), nameof(MaxRetryAfter)]);
        }

        if (SendTimeout <= TimeSpan.Zero || ClaimTimeout <= SendTimeout)
        {
            yield return new ValidationResult("SendTimeout must be positive and ClaimTimeout longer than SendTimeout, or a live send could be claimed again.", [nameof(SendTimeout), nameof(ClaimTimeout)]);
        }

        if (FailedTaskDueAfter <= TimeSpan.Zero)
        {
            yield return new ValidationResult("FailedTaskDueAfter must be positive.", [nameof(FailedTaskDueAfter)]);
        }
    }
}
