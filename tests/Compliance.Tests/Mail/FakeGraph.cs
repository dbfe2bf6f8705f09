using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Tests.Mail;

/// <summary>
/// The one test double of the suite: Microsoft Graph v1.0 on a loopback port, speaking Graph's wire format for exactly the
/// calls the mailbox connector makes (a message, its <c>$value</c>, the inbox delta with <c>@odata.nextLink</c> and
/// <c>@odata.deltaLink</c>, subscription create and renew with the validation handshake, <c>sendMail</c> as MIME), and
/// sending change notifications as Graph does. It checks the bearer token and records every request.
/// </summary>
public sealed class FakeGraph : IAsyncDisposable
{
    /// <summary>The access token <see cref="Credential"/> hands out and the fake requires.</summary>
    public const string AccessToken = "fake-graph-access-token";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, FakeMessage> messages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoundState> skipTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> deltaTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<byte[]> sent = new();
    private long sequence;

    private FakeGraph(WebApplication app, string mailbox)
    {
        this.app = app;
        Mailbox = mailbox;
    }

    /// <summary>The research mailbox the fake serves (any other user is unknown to it).</summary>
    public string Mailbox { get; }

    /// <summary>Graph's root as the connector is configured with it: <c>http://127.0.0.1:{port}/v1.0</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The tenant id the fake's notifications carry.</summary>
    public string TenantId { get; } = Guid.NewGuid().ToString();

    /// <summary>Where the fake delivers what it sends to a notification URL: the host under test (Graph reaches the app over the internet).</summary>
    public Uri? NotificationTarget { get; set; }

    /// <summary>How many messages a delta page holds at most (Graph's default is 10; small here to make pages).</summary>
    public int DeltaPageSize { get; set; } = 2;

    /// <summary>A credential that hands out <see cref="AccessToken"/>; records the scopes asked for.</summary>
    public FakeCredential Credential { get; } = new();

    /// <summary>Every request the fake received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>The MIME bodies received by <c>sendMail</c>, decoded from base64.</summary>
    public IReadOnlyList<byte[]> SentMime => [.. sent];

    /// <summary>The subscriptions Graph holds, by id, as Graph would return them.</summary>
    public IReadOnlyDictionary<string, JsonObject> Subscriptions => subscriptions;

    public static async Task<FakeGraph> StartAsync(string mailbox)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeGraph(app, mailbox);
        app.Run(fake.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/') + "/v1.0";
        return fake;
    }

    /// <summary>Puts a message in the inbox, received at <paramref name="receivedAt"/>; returns its Graph id.</summary>
    public string Deliver(byte[] mime, string internetMessageId, DateTimeOffset receivedAt)
    {
        // Graph ids are long base64url strings; these keep the shape, with characters that need escaping in a URL.
        var id = "AAMkAGI2TG93AAA=" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).Replace('/', '_').Replace('+', '-');
        messages[id] = new FakeMessage(id, mime, internetMessageId, receivedAt, Interlocked.Increment(ref sequence));
        return id;
    }

    /// <summary>Makes <c>$value</c> of a message fail with <paramref name="status"/> (null: succeed again).</summary>
    public void FailContent(string id, HttpStatusCode? status) => messages[id] = messages[id] with { ContentFailure = status };

    /// <summary>Deletes a message from the inbox: the next delta round reports it <c>@removed</c>.</summary>
    public void Remove(string id) => messages[id] = messages[id] with { Removed = true, Sequence = Interlocked.Increment(ref sequence) };

    /// <summary>Graph forgets a subscription (it expired, or an admin removed it).</summary>
    public void DropSubscription(string id) => subscriptions.TryRemove(id, out _);

    /// <summary>
    /// Sends a <c>created</c> change notification for message <paramref name="id"/> to the subscription's notification URL,
    /// as Graph does; <paramref name="clientState"/> overrides the subscription's own.
    /// </summary>
    public async Task<HttpResponseMessage> NotifyCreatedAsync(string subscriptionId, string id, string? clientState = null)
    {
        var subscription = subscriptions[subscriptionId];
        var userId = Guid.NewGuid().ToString();
        var notification = new JsonObject
        {
            ["value"] = new JsonArray(
                new JsonObject
                {
                    ["subscriptionId"] = subscriptionId,
                    ["subscriptionExpirationDateTime"] = (string?)subscription["expirationDateTime"],
                    ["changeType"] = "created",
                    ["resource"] = $"Users/{userId}/Messages/{id}",
                    ["resourceData"] = new JsonObject
                    {
                        ["@odata.type"] = "#Microsoft.Graph.Message",
                        ["@odata.id"] = $"Users/{userId}/Messages/{id}",
                        ["@odata.etag"] = "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"",
                        ["id"] = id,
                    },
                    ["clientState"] = clientState ?? (string?)subscription["clientState"],
                    ["tenantId"] = TenantId,
                }),
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent(notification.ToJsonString(Json), Encoding.UTF8, "application/json");
        return await http.PostAsync(Deliverable((string)subscription["notificationUrl"]!), content, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    private Uri Deliverable(string notificationUrl)
    {
        var url = new Uri(notificationUrl);
        var target = NotificationTarget ?? url;
        return new UriBuilder(url) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var recorded = new RecordedRequest(
            request.Method,
            Uri.UnescapeDataString(request.Path.Value ?? string.Empty),
            request.QueryString.Value is { } q ? Uri.UnescapeDataString(q) : string.Empty,
            request.ContentType,
            body.ToArray());
        requests.Enqueue(recorded);

        if (request.Headers.Authorization.ToString() != "Bearer " + AccessToken)
        {
            await ErrorAsync(context, 401, "InvalidAuthenticationToken", "Access token is empty.");
            return;
        }

        // Graph's own links address a folder as mailFolders('{id}'), the SDK as mailFolders/{id}: both are one resource.
        var segments = recorded.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(s => s.StartsWith("mailFolders('", StringComparison.OrdinalIgnoreCase) && s.EndsWith("')", StringComparison.Ordinal)
                ? new[] { "mailFolders", s["mailFolders('".Length..^2] }
                : [s])
            .ToArray();
        if (segments is not ["v1.0", ..])
        {
            await ErrorAsync(context, 400, "BadRequest", "Invalid version.");
            return;
        }

        switch (segments[1..])
        {
            case ["subscriptions"] when request.Method == "POST":
                await CreateSubscriptionAsync(context, recorded);
                return;
            case ["subscriptions", var subscriptionId] when request.Method == "PATCH":
                await RenewSubscriptionAsync(context, subscriptionId, recorded);
                return;
            case ["subscriptions", var subscriptionId] when request.Method == "DELETE":
                if (!subscriptions.TryRemove(subscriptionId, out _))
                {
                    await ErrorAsync(context, 404, "ResourceNotFound", $"The object was not found. Subscription '{subscriptionId}' does not exist.");
                    return;
                }

                context.Response.StatusCode = 204;
                return;
            case ["users", var user, ..] when !user.Equals(Mailbox, StringComparison.OrdinalIgnoreCase):
                await ErrorAsync(context, 404, "ErrorInvalidUser", $"The requested user '{user}' is invalid.");
                return;
            case ["users", _, "messages", var id] when request.Method == "GET":
                await GetMessageAsync(context, id);
                return;
            case ["users", _, "messages", var id, "$value"] when request.Method == "GET":
                await GetMimeAsync(context, id);
                return;
            case ["users", _, "mailFolders", var folder, "messages", "delta" or "delta()"] when request.Method == "GET" && IsInbox(folder):
                await DeltaAsync(context);
                return;
            case ["users", _, "sendMail"] when request.Method == "POST":
                await SendMailAsync(context, recorded);
                return;
            default:
                await ErrorAsync(context, 400, "BadRequest", $"Resource not found for the segment '{segments[^1]}'.");
                return;
        }
    }

    private static bool IsInbox(string folder) => folder.Equals("inbox", StringComparison.OrdinalIgnoreCase);

    private async Task GetMessageAsync(HttpContext context, string id)
    {
        if (!messages.TryGetValue(id, out var message) || message.Removed)
        {
            await ErrorAsync(context, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
            return;
        }

        var select = context.Request.Query["$select"].ToString();
        var item = MessageJson(message, select);
        item["@odata.context"] = $"{BaseUrl}/$metadata#users('{Mailbox}')/messages(receivedDateTime,internetMessageId)/$entity";
        await JsonAsync(context, 200, item);
    }

    private async Task GetMimeAsync(HttpContext context, string id)
    {
        if (!messages.TryGetValue(id, out var message) || message.Removed)
        {
            await ErrorAsync(context, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
            return;
        }

        if (message.ContentFailure is { } failure)
        {
            await ErrorAsync(context, (int)failure, "generalException", "An internal server error occurred. The operation failed.");
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.Body.WriteAsync(message.Mime, context.RequestAborted);
    }

    private async Task DeltaAsync(HttpContext context)
    {
        var query = context.Request.Query;
        List<FakeMessage> pending;
        long upTo;
        if (query["$skiptoken"].ToString() is { Length: > 0 } skip)
        {
            if (!skipTokens.TryRemove(skip, out var round))
            {
                await ErrorAsync(context, 410, "SyncStateNotFound", "The sync state generation is not found.");
                return;
            }

            (pending, upTo) = (round.Pending, round.UpTo);
        }
        else if (query["$deltatoken"].ToString() is { Length: > 0 } token)
        {
            if (!deltaTokens.TryGetValue(token, out var since))
            {
                await ErrorAsync(context, 410, "SyncStateNotFound", "The sync state generation is not found.");
                return;
            }

            upTo = Interlocked.Read(ref sequence);
            pending = [.. messages.Values.Where(m => m.Sequence > since && m.Sequence <= upTo).OrderBy(m => m.Sequence)];
        }
        else
        {
            // A new round: the messages in the inbox now, received since the filter's time when there is one.
            if (query["changeType"].ToString() != "created")
            {
                await ErrorAsync(context, 400, "BadRequest", "This fake serves only changeType=created rounds.");
                return;
            }

            var since = ParseFilter(query["$filter"].ToString());
            upTo = Interlocked.Read(ref sequence);
            pending = [.. messages.Values.Where(m => !m.Removed && m.Sequence <= upTo && (since is null || m.ReceivedAt >= since)).OrderBy(m => m.Sequence)];
        }

        var page = pending.Take(DeltaPageSize).ToList();
        var rest = pending.Skip(DeltaPageSize).ToList();
        var value = new JsonArray();
        foreach (var message in page)
        {
            value.Add(message.Removed
                ? new JsonObject { ["@odata.type"] = "#microsoft.graph.message", ["id"] = message.Id, ["@removed"] = new JsonObject { ["reason"] = "deleted" } }
                : MessageJson(message, "receivedDateTime,internetMessageId"));
        }

        var link = $"{BaseUrl}/users/{Mailbox}/mailFolders('inbox')/messages/delta";
        var response = new JsonObject { ["@odata.context"] = $"{BaseUrl}/$metadata#Collection(message)" };
        if (rest.Count > 0)
        {
            var skipToken = "S" + Guid.NewGuid().ToString("N");
            skipTokens[skipToken] = new RoundState(rest, upTo);
            response["@odata.nextLink"] = $"{link}?$skiptoken={skipToken}";
        }
        else
        {
            var deltaToken = "D" + Guid.NewGuid().ToString("N");
            deltaTokens[deltaToken] = upTo;
            response["@odata.deltaLink"] = $"{link}?$deltatoken={deltaToken}";
        }

        response["value"] = value;
        await JsonAsync(context, 200, response);
    }

    private async Task CreateSubscriptionAsync(HttpContext context, RecordedRequest recorded)
    {
        var body = JsonNode.Parse(recorded.Body)!.AsObject();
        var expiration = DateTimeOffset.Parse((string)body["expirationDateTime"]!, CultureInfo.InvariantCulture);
        if (expiration > DateTimeOffset.UtcNow.AddMinutes(10070))
        {
            await ErrorAsync(context, 400, "ExtensionError", "Subscription expiration can only be 10070 minutes in the future.");
            return;
        }

        if ((string?)body["changeType"] != "created" || (string?)body["resource"] is not { } resource || (string?)body["notificationUrl"] is not { } notificationUrl)
        {
            await ErrorAsync(context, 400, "InvalidRequest", "changeType, resource and notificationUrl are required.");
            return;
        }

        // Graph validates the notification URL before it creates the subscription: the endpoint must echo the token.
        var token = "Validation: Testing client application reachability for subscription Request-Id: " + Guid.NewGuid();
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        using (var validation = new StringContent(string.Empty, Encoding.UTF8, "text/plain"))
        {
            var url = new UriBuilder(Deliverable(notificationUrl)) { Query = "validationToken=" + Uri.EscapeDataString(token) }.Uri;
            using var answer = await http.PostAsync(url, validation, context.RequestAborted);
            var echoed = await answer.Content.ReadAsStringAsync(context.RequestAborted);
            if (answer.StatusCode != HttpStatusCode.OK || echoed != token || answer.Content.Headers.ContentType?.MediaType != "text/plain")
            {
                await ErrorAsync(context, 400, "ValidationError", "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.");
                return;
            }
        }

        var id = Guid.NewGuid().ToString();
        var subscription = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl}/$metadata#subscriptions/$entity",
            ["id"] = id,
            ["resource"] = resource,
            ["applicationId"] = Guid.NewGuid().ToString(),
            ["changeType"] = "created",
            ["clientState"] = (string?)body["clientState"],
            ["notificationUrl"] = notificationUrl,
            ["expirationDateTime"] = expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            ["creatorId"] = Guid.NewGuid().ToString(),
            ["latestSupportedTlsVersion"] = "v1_2",
            ["notificationUrlAppId"] = null,
            ["includeResourceData"] = null,
            ["lifecycleNotificationUrl"] = null,
        };
        subscriptions[id] = subscription;
        await JsonAsync(context, 201, subscription);
    }

    private async Task RenewSubscriptionAsync(HttpContext context, string id, RecordedRequest recorded)
    {
        if (!subscriptions.TryGetValue(id, out var subscription))
        {
            await ErrorAsync(context, 404, "ResourceNotFound", $"The object was not found. Subscription '{id}' does not exist.");
            return;
        }

        var body = JsonNode.Parse(recorded.Body)!.AsObject();
        var expiration = DateTimeOffset.Parse((string)body["expirationDateTime"]!, CultureInfo.InvariantCulture);
        if (expiration > DateTimeOffset.UtcNow.AddMinutes(10070))
        {
            await ErrorAsync(context, 400, "ExtensionError", "Subscription expiration can only be 10070 minutes in the future.");
            return;
        }

        subscription["expirationDateTime"] = expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        await JsonAsync(context, 200, subscription.DeepClone());
    }

    private async Task SendMailAsync(HttpContext context, RecordedRequest recorded)
    {
        if (recorded.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) != true)
        {
            await ErrorAsync(context, 400, "ErrorInvalidRequest", "This fake takes sendMail as MIME only (Content-Type: text/plain).");
            return;
        }

        try
        {
            sent.Enqueue(Convert.FromBase64String(Encoding.ASCII.GetString(recorded.Body)));
        }
        catch (FormatException)
        {
            await ErrorAsync(context, 400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
            return;
        }

        context.Response.StatusCode = 202;
    }

    private static JsonObject MessageJson(FakeMessage message, string select)
    {
        var fields = select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var item = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.message",
            ["@odata.etag"] = "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"",
            ["id"] = message.Id,
        };
        if (fields.Contains("receivedDateTime"))
        {
            item["receivedDateTime"] = message.ReceivedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        }

        if (fields.Contains("internetMessageId"))
        {
            item["internetMessageId"] = message.InternetMessageId;
        }

        return item;
    }

    private static DateTimeOffset? ParseFilter(string filter)
    {
        if (filter.Length == 0)
        {
            return null;
        }

        var parts = filter.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not ["receivedDateTime", "ge" or "gt", var value])
        {
            throw new InvalidOperationException($"Graph supports only receivedDateTime ge|gt in a message delta filter, not '{filter}'.");
        }

        return DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);
    }

    private static Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(Json), context.RequestAborted);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) => JsonAsync(
        context,
        status,
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["innerError"] = new JsonObject
                {
                    ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                    ["request-id"] = Guid.NewGuid().ToString(),
                    ["client-request-id"] = context.Request.Headers["client-request-id"].ToString(),
                },
            },
        });

    private sealed record FakeMessage(string Id, byte[] Mime, string InternetMessageId, DateTimeOffset ReceivedAt, long Sequence, HttpStatusCode? ContentFailure = null, bool Removed = false);

    private sealed record RoundState(List<FakeMessage> Pending, long UpTo);

    /// <summary>A request as the fake received it (path and query unescaped).</summary>
    public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, byte[] Body);

    /// <summary>Hands out the fake's access token, as a client-credentials flow would.</summary>
    public sealed class FakeCredential : TokenCredential
    {
        private readonly ConcurrentQueue<string> scopes = new();

        public IReadOnlyList<string> Scopes => [.. scopes];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                scopes.Enqueue(scope);
            }

            return new AccessToken(AccessToken, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
