using Azure.Core;
using Azure.Identity;
using Compliance.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail.Graph;

/// <summary>Registers the Microsoft Graph mailbox connector (docs/mailbox.md).</summary>
public static class GraphConnectorExtensions
{
    /// <summary>
    /// Adds the connector's options, credential, Graph client, state and intake, and, only when the <c>Graph</c> settings
    /// are complete, the keyed <see cref="IMailTransport"/> <c>graph</c> (<see cref="GraphMailTransport"/>).
    /// </summary>
    public static IHostApplicationBuilder AddGraphMailboxConnector(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton<TokenCredential>(GraphMailbox.CredentialKey, (sp, _) => CreateCredential(sp.GetRequiredService<IOptions<GraphOptions>>().Value));
        services.AddSingleton<GraphMailbox>();
        services.AddSingleton<GraphConnectorState>();
        services.AddSingleton<GraphInboxIntake>();

        var graph = builder.Configuration.GetSection(GraphOptions.SectionName).Get<GraphOptions>() ?? new GraphOptions();
        if (graph.IsConfigured)
        {
            services.AddKeyedSingleton<IMailTransport, GraphMailTransport>(GraphMailTransport.TransportName);
        }

        return builder;
    }

    /// <summary>The credential the settings choose: the managed identity, a certificate, or the client secret.</summary>
    public static TokenCredential CreateCredential(GraphOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return new NotConfiguredCredential();
        }

        if (options.UseManagedIdentity == true)
        {
            return new ManagedIdentityCredential(Settings.IsSet(options.ClientId)
                ? ManagedIdentityId.FromUserAssignedClientId(options.ClientId!)
                : ManagedIdentityId.SystemAssigned);
        }

        return Settings.IsSet(options.CertificatePath)
            ? new ClientCertificateCredential(options.TenantId, options.ClientId, options.CertificatePath)
            : new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret);
    }

    /// <summary>Stands in while the connector is off; nothing asks it for a token then.</summary>
    private sealed class NotConfiguredCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The Microsoft Graph connector is not configured (docs/mailbox.md).");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The Microsoft Graph connector is not configured (docs/mailbox.md).");
    }
}
