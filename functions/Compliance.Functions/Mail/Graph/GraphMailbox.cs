using System.Globalization;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Authentication.Azure;

namespace Compliance.Functions.Mail.Graph;

/// <summary>A message in the inbox as Graph lists it: its Graph id, when Exchange received it, and its Message-ID.</summary>
public sealed record GraphInboxItem(string Id, DateTimeOffset? ReceivedAt, string? InternetMessageId);

/// <summary>One page of the inbox's delta: the messages created, and either the next page's link or the link for next time.</summary>
public sealed record GraphDeltaPage(IReadOnlyList<GraphInboxItem> Items, string? NextLink, string? DeltaLink);

/// <summary>A Graph change-notification subscription as Graph answered.</summary>
public sealed record GraphSubscription(string Id, DateTimeOffset ExpiresAt);

/// <summary>
/// The Microsoft Graph calls of the mailbox connector, on the research mailbox, through the Graph SDK: read a message and
/// its MIME, page the inbox's delta, create and renew the inbox subscription, and send MIME. Nothing else touches Graph.
/// </summary>
public sealed class GraphMailbox : IDisposable
{
    /// <summary>The DI key of the <see cref="TokenCredential"/> the connector signs in with.</summary>
    public const string CredentialKey = "graph";

    /// <summary>The subscription's resource: messages arriving in the mailbox's inbox.</summary>
    public const string InboxFolder = "inbox";

    private static readonly string[] ItemFields = ["receivedDateTime", "internetMessageId"];

    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new(StringComparer.Ordinal)
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    private readonly GraphOptions options;
    private readonly HttpClient http;
    private readonly GraphServiceClient client;

    public GraphMailbox(IOptions<GraphOptions> options, [FromKeyedServices(CredentialKey)] TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        var baseUri = new Uri(this.options.BaseUrl.TrimEnd('/'));

        // The token is only ever sent to Graph's own host, for Graph's own scope (a national cloud has its own host).
        var scope = $"https://{(baseUri.IsLoopback ? "graph.microsoft.com" : baseUri.Host)}/.default";
        var authentication = new AzureIdentityAuthenticationProvider(credential, [baseUri.Host], observabilityOptions: null, isCaeEnabled: true, scopes: [scope]);

        // The SDK's default pipeline: retries with back-off on 429, 503 and 504 (honouring Retry-After), redirects, compression.
        http = GraphClientFactory.Create();
        http.Timeout = TimeSpan.FromMinutes(5);
        client = new GraphServiceClient(http, authentication, baseUri.ToString().TrimEnd('/'));
    }

    private string Mailbox => options.Mailbox ?? throw new InvalidOperationException("Graph:Mailbox is not set.");

    /// <summary>When a message was received and its Message-ID; null when it no longer exists (deleted or moved since).</summary>
    public async Task<GraphInboxItem?> GetItemAsync(string messageId, CancellationToken cancellationToken)
    {
        try
        {
            var message = await client.Users[Mailbox].Messages[messageId].GetAsync(r => r.QueryParameters.Select = ItemFields, cancellationToken);
            return message is null ? null : new GraphInboxItem(message.Id ?? messageId, message.ReceivedDateTime, message.InternetMessageId);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// The message's raw MIME (<c>$value</c>), at most <paramref name="maxBytes"/>; null when the message no longer exists.
    /// Throws <see cref="GraphMessageTooLargeException"/> when it is larger.
    /// </summary>
    public async Task<byte[]?> GetMimeAsync(string messageId, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await client.Users[Mailbox].Messages[messageId].Content.GetAsync(cancellationToken: cancellationToken);
            if (stream is null)
            {
                return null;
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new GraphMessageTooLargeException(maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// One page of the inbox's delta of created messages. Starts a new round (messages received since <paramref name="since"/>)
    /// when <paramref name="link"/> is null, else follows a stored <c>@odata.nextLink</c> or <c>@odata.deltaLink</c>.
    /// </summary>
    public async Task<GraphDeltaPage> GetInboxDeltaAsync(string? link, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var delta = client.Users[Mailbox].MailFolders[InboxFolder].Messages.Delta;
        var response = link is null
            ? await delta.GetAsDeltaGetResponseAsync(
                r =>
                {
                    // Graph encodes these into every nextLink and deltaLink of the round.
                    r.QueryParameters.ChangeType = "created";
                    r.QueryParameters.Select = ItemFields;
                    r.QueryParameters.Filter = $"receivedDateTime ge {since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";
                },
                cancellationToken)
            : await delta.WithUrl(link).GetAsDeltaGetResponseAsync(cancellationToken: cancellationToken);
        if (response is null)
        {
            throw new InvalidOperationException("Graph answered the inbox delta with no body.");
        }

        var items = (response.Value ?? [])
            .Where(m => m.Id is not null && m.AdditionalData?.ContainsKey("@removed") != true)
            .Select(m => new GraphInboxItem(m.Id!, m.ReceivedDateTime, m.InternetMessageId))
            .ToList();
        return new GraphDeltaPage(items, response.OdataNextLink, response.OdataDeltaLink);
    }

    /// <summary>Creates the subscription to messages created in the inbox, to <see cref="GraphOptions.NotificationUrl"/>.</summary>
    public async Task<GraphSubscription> CreateInboxSubscriptionAsync(DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var created = await client.Subscriptions.PostAsync(
            new Subscription
            {
                ChangeType = "created",
                NotificationUrl = options.NotificationUrl,
                Resource = InboxResource,
                ExpirationDateTime = expiresAt,
                ClientState = options.ClientState,
            },
            cancellationToken: cancellationToken);
        return ToSubscription(created);
    }

    /// <summary>Moves a subscription's expiry; null when Graph no longer has it (it expired or was removed).</summary>
    public async Task<GraphSubscription?> RenewSubscriptionAsync(string subscriptionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        try
        {
            var renewed = await client.Subscriptions[subscriptionId].PatchAsync(new Subscription { ExpirationDateTime = expiresAt }, cancellationToken: cancellationToken);
            return ToSubscription(renewed, subscriptionId);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Deletes a subscription that has been replaced; one Graph no longer has is fine.</summary>
    public async Task DeleteSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            await client.Subscriptions[subscriptionId].DeleteAsync(cancellationToken: cancellationToken);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
        }
    }

    /// <summary>
    /// Sends a finished MIME message as the mailbox: <c>POST /users/{mailbox}/sendMail</c> with the message base64-encoded as
    /// <c>text/plain</c>, Graph's way of sending MIME unchanged (its Message-ID and threading headers included).
    /// </summary>
    public async Task SendMimeAsync(byte[] mime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var request = client.Users[Mailbox].SendMail.ToPostRequestInformation(new Microsoft.Graph.Users.Item.SendMail.SendMailPostRequestBody());
        using var content = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(mime)));

        // The request the SDK builds carries a JSON body and its Content-Type; the MIME replaces both.
        request.Headers.Remove("Content-Type");
        request.SetStreamContent(content, "text/plain");
        await client.RequestAdapter.SendNoContentAsync(request, ErrorMapping, cancellationToken);
    }

    /// <summary>The subscription resource for the mailbox's inbox.</summary>
    public string InboxResource => $"users/{Mailbox}/mailFolders('{InboxFolder}')/messages";

    public void Dispose()
    {
        client.Dispose();
        http.Dispose();
    }

    private static GraphSubscription ToSubscription(Subscription? subscription, string? knownId = null) =>
        subscription is { ExpirationDateTime: { } expires } && (subscription.Id ?? knownId) is { } id
            ? new GraphSubscription(id, expires)
            : throw new InvalidOperationException("Graph answered without the subscription's id or expiry.");
}

/// <summary>A message in the mailbox is larger than intake accepts (<c>Intake:MaxAcceptedBytes</c>); it stays in the mailbox.</summary>
public sealed class GraphMessageTooLargeException(long maxBytes)
    : Exception($"The message is larger than {maxBytes} bytes, the most intake accepts.");
