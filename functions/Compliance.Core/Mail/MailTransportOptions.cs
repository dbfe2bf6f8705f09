using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Mail;

/// <summary>Which transport sends the outbox (setting <c>Mail:Transport</c>): <c>none</c>, <c>smtp</c> or <c>graph</c>.</summary>
public sealed class MailTransportOptions
{
    /// <summary>The same section as <see cref="MailOptions"/>: one <c>Mail</c> section describes outgoing mail.</summary>
    public const string SectionName = MailOptions.SectionName;

    /// <summary>Messages stay in the outbox, pending (the default: nothing leaves a developer's machine).</summary>
    public const string None = "none";

    /// <summary>The name of a keyed <see cref="IMailTransport"/>, or <see cref="None"/> (empty means <see cref="None"/>).</summary>
    public string? Transport { get; set; }

    /// <summary>The configured name, trimmed and lower-case; <see cref="None"/> when empty.</summary>
    public string EffectiveTransport => string.IsNullOrWhiteSpace(Transport) ? None : Transport.Trim().ToLowerInvariant();
}

/// <summary>
/// Checks at start-up that <c>Mail:Transport</c> names a transport that is registered (a keyed <see cref="IMailTransport"/>),
/// and that the SMTP server is given when it is <c>smtp</c>, so a misconfigured host stops instead of never sending.
/// </summary>
public sealed class MailTransportOptionsValidator(IServiceProviderIsKeyedService keyedServices, IOptions<SmtpOptions> smtp) : IValidateOptions<MailTransportOptions>
{
    public ValidateOptionsResult Validate(string? name, MailTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transport = options.EffectiveTransport;
        if (transport == MailTransportOptions.None)
        {
            return ValidateOptionsResult.Success;
        }

        if (!keyedServices.IsKeyedService(typeof(IMailTransport), transport))
        {
            return ValidateOptionsResult.Fail(
                $"Mail:Transport is '{transport}', but no mail transport of that name is registered. Use 'none' (messages stay in the outbox), 'smtp', or 'graph' in a build that has the Microsoft Graph connector.");
        }

        if (transport == SmtpMailTransport.TransportName && string.IsNullOrWhiteSpace(smtp.Value.Host))
        {
            return ValidateOptionsResult.Fail("Mail:Transport is 'smtp' but Smtp:Host is not set.");
        }

        return ValidateOptionsResult.Success;
    }
}
