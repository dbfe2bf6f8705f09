using MimeKit;

namespace Compliance.Mail;

/// <summary>What counts as an email address where a person gives one.</summary>
public static class EmailAddresses
{
    /// <summary>One plain address (<c>name@example.org</c>): no display name, no spaces, a dotted domain.</summary>
    public static bool IsPlain(string? email) =>
        email is not null &&
        !email.Any(char.IsWhiteSpace) &&
        MailboxAddress.TryParse(email, out var address) &&
        string.IsNullOrEmpty(address.Name) &&
        string.Equals(address.Address, email, StringComparison.Ordinal) &&
        address.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at &&
        at < address.Address.Length - 1 &&
        address.Domain.Contains('.', StringComparison.Ordinal);
}
