using Compliance.Requests;
using Compliance.Studies;
using MimeKit;

namespace Compliance.Mail;

/// <summary>
/// Who a request's email goes to, and the one place that decides which name it may carry (its greeting and its To display
/// name): a name from our own records or none, never text a requester typed. Anyone can submit a request with any address
/// and any name, so an address given in a request, or a new one not yet confirmed, gets an email by address alone, greeted
/// "Hello,"; otherwise we could be made to deliver a stranger's words to an address nobody has verified (ADR 0012).
/// </summary>
public sealed class EmailRecipient
{
    private EmailRecipient(string address, string? name)
    {
        Address = address;
        Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
    }

    /// <summary>The address the email is written to.</summary>
    public string Address { get; }

    /// <summary>The name from our records, or null when the email must not carry one.</summary>
    public string? Name { get; }

    /// <summary>How the email greets its recipient.</summary>
    public string Greeting => Name is null ? "Hello," : $"Dear {Name},";

    /// <summary>The To address, with the name from our records when there is one.</summary>
    public MailboxAddress Mailbox => new(Name ?? string.Empty, Address);

    /// <summary>A participant, at the address and by the name held for them.</summary>
    public static EmailRecipient Held(Participant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        var address = participant.Email ?? throw new ArgumentException($"Participant {participant.ParticipantId} has no address held.", nameof(participant));
        return new EmailRecipient(address, participant.Name);
    }

    /// <summary>The address a request came from, by address alone: the name given with it is the requester's own words.</summary>
    public static EmailRecipient Requester(DataSubjectRequestRecord request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new EmailRecipient(request.RequesterEmail, name: null);
    }

    /// <summary>A new address given for a participant, not yet confirmed as theirs: by address alone.</summary>
    public static EmailRecipient Unconfirmed(string address) => new(address, name: null);

    /// <summary>Staff or a supplier, at an address and by a name from the study's policy or the supplier's record.</summary>
    public static EmailRecipient OnRecord(string address, string? name) => new(address, name);
}
