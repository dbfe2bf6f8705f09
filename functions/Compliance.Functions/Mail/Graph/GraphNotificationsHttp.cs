using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail.Graph;

/// <summary>
/// <c>POST /api/mail/graph-notifications</c>: Microsoft Graph's change notifications for the research mailbox's inbox.
/// Anonymous, as Graph calls it without a token: it answers Graph's validation handshake, and takes in the messages of the
/// notifications that carry the configured <c>clientState</c>, ignoring every other. A message it could not fetch is
/// found by the delta catch-up (<see cref="GraphDeltaCatchUp"/>), so answering 202 never loses one.
/// </summary>
public sealed class GraphNotificationsHttp(IOptions<GraphOptions> options, GraphInboxIntake intake, TimeProvider time, ILogger<GraphNotificationsHttp> logger)
{
    /// <summary>The longest validation token echoed back; Graph's are far shorter.</summary>
    public const int MaxValidationTokenLength = 4096;

    /// <summary>The largest notification body read (Graph batches notifications, each well under a kilobyte without resource data).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// How long the answer waits for the messages to be taken in. Graph wants an answer within a few seconds; work still
    /// running then goes on after the answer, and the delta catch-up finds whatever it did not finish.
    /// </summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(2);

    /// <summary>How many messages of one batch are fetched at once.</summary>
    public const int MaxParallelFetches = 4;

    /// <summary>How long the taking-in of one batch may go on after the answer.</summary>
    public static readonly TimeSpan WorkLimit = TimeSpan.FromMinutes(5);

    [Function(nameof(ReceiveGraphNotifications))]
    public async Task<IActionResult> ReceiveGraphNotifications(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/mail/graph-notifications")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var graph = options.Value;
        if (!graph.IsConfigured)
        {
            return NotConfigured();
        }

        // The handshake when a subscription is made: echo the token as plain text within 10 seconds.
        if (req.Query.TryGetValue("validationToken", out var validationToken))
        {
            return Handshake(validationToken.ToString());
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        NotificationBatch? batch;
        using (document)
        {
            batch = ReadBatch(document!.RootElement, Encoding.UTF8.GetBytes(graph.ClientState!));
        }

        return batch is null
            ? ApiProblem.BadRequest("invalid-notification", "The body is not a Graph change notification collection.", "Send {\"value\":[…]} as Microsoft Graph does.")
            : await AnswerAsync(batch, durable);
    }

    private static ObjectResult NotConfigured() => ApiProblem.Create(
        StatusCodes.Status404NotFound,
        "not-configured",
        "The Microsoft Graph mailbox connector is not configured.",
        "This deployment takes no Graph change notifications; see docs/mailbox.md for the Graph settings.");

    private static IActionResult Handshake(string token) => token.Length is 0 or > MaxValidationTokenLength
        ? ApiProblem.BadRequest("invalid-validation-token", "The validation token is empty or too long.", $"A validation token has 1 to {MaxValidationTokenLength} characters.")
        : new ContentResult { Content = token, ContentType = "text/plain; charset=utf-8", StatusCode = StatusCodes.Status200OK };

    /// <summary>The ids of the messages the notifications carrying our clientState announce, and how many did not carry it; null if the body is no notification collection.</summary>
    private static NotificationBatch? ReadBatch(JsonElement root, byte[] expected)
    {
        if (!root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var batch = new NotificationBatch(value.GetArrayLength());
        foreach (var notification in value.EnumerateArray())
        {
            if (!HasClientState(notification, expected))
            {
                batch.Rejected++;
                continue;
            }

            if (CreatedMessageId(notification) is { } id && !batch.MessageIds.Contains(id, StringComparer.Ordinal))
            {
                batch.MessageIds.Add(id);
            }
        }

        return batch;
    }

    /// <summary>403 if no notification was ours; otherwise takes in the messages (for as long as the answer may wait) and answers 202.</summary>
    private async Task<IActionResult> AnswerAsync(NotificationBatch batch, DurableTaskClient durable)
    {
        if (batch.Rejected > 0)
        {
            logger.LogWarning("Graph notifications: {Rejected} of {Received} did not carry our clientState and were ignored", batch.Rejected, batch.Received);
        }

        if (batch.Received > 0 && batch.Rejected == batch.Received)
        {
            return ApiProblem.Create(
                StatusCodes.Status403Forbidden,
                "invalid-client-state",
                "The notifications are not from this app's subscription.",
                "No notification carried the subscription's clientState; nothing was done.");
        }

        await TakeInWithinAsync(batch.MessageIds, durable);
        return new AcceptedResult();
    }

    private async Task TakeInWithinAsync(List<string> messageIds, DurableTaskClient durable)
    {
        if (messageIds.Count == 0)
        {
            return;
        }

        // Not the request's token: the work may outlive the answer, bounded by its own limit.
        var work = new CancellationTokenSource(WorkLimit);
        var all = Parallel.ForEachAsync(
            messageIds,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelFetches, CancellationToken = work.Token },
            async (id, cancellationToken) => await TakeInAsync(id, durable, cancellationToken));
        _ = all.ContinueWith(_ => work.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (await Task.WhenAny(all, Task.Delay(AnswerWithin, time, CancellationToken.None)) != all)
        {
            logger.LogInformation("Graph notifications: answering before {Count} messages are taken in; they go on, and the delta catch-up is the safety net", messageIds.Count);
        }
    }

    private async Task TakeInAsync(string messageId, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await intake.TakeInAsync(messageId, item: null, durable, cancellationToken);
            logger.LogInformation("Graph notification for message {GraphMessageId}: {Outcome}", messageId, outcome);
        }
        catch (Exception ex)
        {
            // Not lost: the message is still in the inbox, and the next delta catch-up takes it in.
            logger.LogWarning("Graph notification for message {GraphMessageId} could not be taken in ({Error}); the delta catch-up will", messageId, ex.GetType().Name);
        }
    }

    private static bool HasClientState(JsonElement notification, byte[] expected) =>
        notification.ValueKind == JsonValueKind.Object
        && notification.TryGetProperty("clientState", out var state)
        && state.ValueKind == JsonValueKind.String
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state.GetString()!), expected);

    /// <summary>The Graph id of the message a <c>created</c> notification is about: <c>resourceData.id</c>, else the resource path's last segment.</summary>
    private static string? CreatedMessageId(JsonElement notification)
    {
        if (!notification.TryGetProperty("changeType", out var changeType) || changeType.GetString() != "created")
        {
            return null;
        }

        if (notification.TryGetProperty("resourceData", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(id.GetString()))
        {
            return id.GetString();
        }

        if (notification.TryGetProperty("resource", out var resource) && resource.GetString() is { } path)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[^2].Equals("Messages", StringComparison.OrdinalIgnoreCase))
            {
                return parts[^1];
            }
        }

        return null;
    }
}

/// <summary>What a batch of Graph notifications holds: how many, how many were not ours, and the new messages of the rest.</summary>
internal sealed class NotificationBatch(int received)
{
    public int Received { get; } = received;

    public int Rejected { get; set; }

    public List<string> MessageIds { get; } = [];
}
