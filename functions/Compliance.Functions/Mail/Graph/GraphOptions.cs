using System.ComponentModel.DataAnnotations;

namespace Compliance.Functions.Mail.Graph;

/// <summary>
/// The Microsoft Graph mailbox connector (configuration section <c>Graph</c>, docs/mailbox.md). Unset, which is the local
/// default, the connector is off: its timers do nothing and its webhook answers 404.
/// </summary>
public sealed class GraphOptions : IValidatableObject
{
    public const string SectionName = "Graph";

    /// <summary>Microsoft Graph v1.0 in the global cloud.</summary>
    public const string DefaultBaseUrl = "https://graph.microsoft.com/v1.0";

    /// <summary>Graph's limit on a subscription's <c>clientState</c>.</summary>
    public const int MaxClientStateLength = 128;

    /// <summary>The Entra ID tenant of the app registration.</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The application (client) id of the app registration; with <see cref="UseManagedIdentity"/>, the client id of a
    /// user-assigned managed identity (empty: the system-assigned one).
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>The research mailbox the connector reads and sends from (its address or user id).</summary>
    public string? Mailbox { get; set; }

    /// <summary>The app registration's client secret (a Key Vault reference in Azure).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A certificate file (PEM, or PFX without a password) to sign in with instead of a secret; it wins over the secret.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// Sign in as the app's managed identity, which has been given the Graph application permissions itself. Nullable so that
    /// an empty setting binds as "no" instead of stopping the host.
    /// </summary>
    public bool? UseManagedIdentity { get; set; }

    /// <summary>The secret every change notification must carry (at most 128 characters; a Key Vault reference in Azure).</summary>
    public string? ClientState { get; set; }

    /// <summary>
    /// The public HTTPS address of <c>POST /api/mail/graph-notifications</c> that the subscription sends change notifications
    /// to. Unset: no subscription is made, and the delta catch-up alone brings mail in.
    /// </summary>
    public string? NotificationUrl { get; set; }

    /// <summary>Graph's root, <see cref="DefaultBaseUrl"/> unless a national cloud (or a test) needs another.</summary>
    [Required]
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Whether the connector has a mailbox, a clientState and a way to sign in.</summary>
    public bool IsConfigured => Missing.Count == 0;

    /// <summary>Whether a subscription can be made: configured, with a notification address.</summary>
    public bool CanSubscribe => IsConfigured && Settings.IsSet(NotificationUrl);

    /// <summary>The settings that keep the connector off, by their configuration names (empty when configured).</summary>
    public IReadOnlyList<string> Missing
    {
        get
        {
            var missing = new List<string>();
            if (!Settings.IsSet(Mailbox))
            {
                missing.Add("Graph:Mailbox");
            }

            if (!Settings.IsSet(ClientState))
            {
                missing.Add("Graph:ClientState");
            }

            if (UseManagedIdentity != true)
            {
                if (!Settings.IsSet(TenantId))
                {
                    missing.Add("Graph:TenantId");
                }

                if (!Settings.IsSet(ClientId))
                {
                    missing.Add("Graph:ClientId");
                }

                if (!Settings.IsSet(ClientSecret) && !Settings.IsSet(CertificatePath))
                {
                    missing.Add("Graph:ClientSecret or Graph:CertificatePath");
                }
            }

            return missing;
        }
    }


    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri) || !IsHttpsOrLoopback(baseUri))
        {
            yield return new ValidationResult("Graph:BaseUrl must be an absolute https URL (http only on a loopback address).", [nameof(BaseUrl)]);
        }

        if (Settings.IsSet(NotificationUrl) && (!Uri.TryCreate(NotificationUrl, UriKind.Absolute, out var notificationUri) || !IsHttpsOrLoopback(notificationUri)))
        {
            yield return new ValidationResult("Graph:NotificationUrl must be an absolute https URL, as Graph requires (http only on a loopback address).", [nameof(NotificationUrl)]);
        }

        if (Settings.IsSet(ClientState) && ClientState!.Length > MaxClientStateLength)
        {
            yield return new ValidationResult($"Graph:ClientState may be at most {MaxClientStateLength} characters.", [nameof(ClientState)]);
        }
    }

    private static bool IsHttpsOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
}
