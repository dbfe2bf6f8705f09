using Azure.Storage.Blobs;
using Compliance.Audit;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Mail;

/// <summary>Registers the outbox sender and the mail transports it can use.</summary>
public static class OutboxServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="OutboxSender"/> with the transport <c>Mail:Transport</c> names, resolved as a keyed
    /// <see cref="IMailTransport"/> (<c>smtp</c> here; <c>graph</c> from the Graph connector), and checks at start-up that
    /// the named transport is registered.
    /// </summary>
    public static IServiceCollection AddOutboxSending(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MailTransportOptions>().BindConfiguration(MailTransportOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailTransportOptions>, MailTransportOptionsValidator>();
        services.AddKeyedSingleton<IMailTransport, SmtpMailTransport>(SmtpMailTransport.TransportName);
        services.AddSingleton(sp =>
        {
            var name = sp.GetRequiredService<IOptions<MailTransportOptions>>().Value.EffectiveTransport;
            return new OutboxSender(
                sp.GetRequiredService<BlobServiceClient>(),
                name == MailTransportOptions.None ? null : sp.GetRequiredKeyedService<IMailTransport>(name),
                sp.GetRequiredService<AuditLog>(),
                sp.GetRequiredService<RequestStore>(),
                sp.GetRequiredService<TaskStore>(),
                sp.GetRequiredService<IOptions<OutboxOptions>>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<OutboxSender>>());
        });
        return services;
    }
}
