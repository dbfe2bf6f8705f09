using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Audit;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Mail;

/// <summary>What one run of the outbox sender did.</summary>
/// <param name="Sent">Messages this run handed to the transport and marked <c>sent</c>.</param>
/// <param name="Retrying">Messages whose attempt failed and that wait for their next attempt.</param>
/// <param name="Failed">Messages whose last allowed attempt failed, now <c>failed</c>.</param>
/// <param name="Lost">Messages another sender claimed first (or claimed again) while this run worked on them.</param>
public sealed record OutboxRun(int Sent, int Retrying, int Failed, int Lost);

/// <summary>
/// Sends the <c>mail-outbox</c> through the configured <see cref="IMailTransport"/>, each message once. A message is claimed
/// by an ETag-conditional metadata write (<c>state=sending</c>) before it is sent, so of two senders that see it pending
/// only one sends it; it is then marked <c>sent</c> (or, after a failure, <c>pending</c> again with a later
/// <c>nextAttemptAt</c>, or <c>failed</c> after the last attempt), audited, and marked <c>audited</c>. A claim older than
/// <see cref="OutboxOptions.ClaimTimeout"/> is a sender that died mid-send and is claimed again. docs/emails.md has the
/// states and the one window in which a message can go twice.
/// </summary>
public sealed class OutboxSender
{
    private readonly BlobContainerClient container;
    private readonly IMailTransport? transport;
    private readonly AuditLog audit;
    private readonly RequestStore requests;
    private readonly TaskStore tasks;
    private readonly OutboxOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<OutboxSender> logger;
    private int noTransportLogged;

    /// <summary>A sender through <paramref name="transport"/>: the one <c>Mail:Transport</c> names, or null for <c>none</c> (messages stay pending).</summary>
    public OutboxSender(
        BlobServiceClient blobs,
        IMailTransport? transport,
        AuditLog audit,
        RequestStore requests,
        TaskStore tasks,
        IOptions<OutboxOptions> options,
        TimeProvider time,
        ILogger<OutboxSender> logger)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        container = blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);
        this.transport = transport;
        this.audit = audit;
        this.requests = requests;
        this.tasks = tasks;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The transport messages go through; null when <c>Mail:Transport</c> is <c>none</c>.</summary>
    public IMailTransport? Transport => transport;

    /// <summary>
    /// Sends every message under <paramref name="prefix"/> that is due: pending with no <c>nextAttemptAt</c> or one that
    /// has passed, or claimed longer ago than the claim timeout. Lists the container page by page (every blob, sent ones
    /// too; see docs/emails.md) and sends each page's due messages at most <see cref="OutboxOptions.MaxParallelSends"/> at
    /// a time. Also finishes sent or failed messages whose audit entry a crash left unwritten.
    /// </summary>
    public async Task<OutboxRun> SendDueAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        if (transport is null)
        {
            if (Interlocked.Exchange(ref noTransportLogged, 1) == 0)
            {
                logger.LogWarning("Mail:Transport is none: emails stay in the mail-outbox container, pending, and nothing sends them");
            }

            return new OutboxRun(0, 0, 0, 0);
        }

        int sent = 0, retrying = 0, failed = 0, lost = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelSends, CancellationToken = cancellationToken };
        var listing = container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken);
        await foreach (var page in listing.AsPages(pageSizeHint: options.PageSize).WithCancellation(cancellationToken))
        {
            var now = time.GetUtcNow();
            var work = page.Values
                .Select(b => (b.Name, ETag: b.Properties.ETag ?? default, Metadata: new Dictionary<string, string>(b.Metadata, StringComparer.OrdinalIgnoreCase)))
                .Where(b => IsDue(b.Metadata, now) || NeedsFinishing(b.Metadata))
                .ToList();
            await Parallel.ForEachAsync(work, parallel, async (blob, token) =>
            {
                Outcome outcome;
                try
                {
                    outcome = NeedsFinishing(blob.Metadata)
                        ? await FinishAsync(blob.Name, blob.ETag, blob.Metadata, token)
                        : await SendOneAsync(blob.Name, blob.ETag, blob.Metadata, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // Storage or the audit log failed for this message (transport errors are handled inside): the others go
                    // on, and the next run picks this one up where its metadata says it is.
                    logger.LogError(ex, "Outbox message {BlobName} could not be processed; the next run tries again", blob.Name);
                    return;
                }

                _ = outcome switch
                {
                    Outcome.Sent => Interlocked.Increment(ref sent),
                    Outcome.Retrying => Interlocked.Increment(ref retrying),
                    Outcome.Failed => Interlocked.Increment(ref failed),
                    Outcome.Lost => Interlocked.Increment(ref lost),
                    _ => 0,
                };
            });
        }

        return new OutboxRun(sent, retrying, failed, lost);
    }

    /// <summary>
    /// Puts a <c>failed</c> message back in the queue with a fresh set of attempts, due now: the DPO's resend. Only a failed
    /// message, and only as it was read (an ETag condition), so a resend can never make a sent message go twice. False when
    /// there is no such message or it is not failed.
    /// </summary>
    public async Task<bool> ResendAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        var metadata = new Dictionary<string, string>(properties.Metadata, StringComparer.OrdinalIgnoreCase);
        if (metadata.GetValueOrDefault(OutboxMetadata.State) != OutboxMetadata.Failed)
        {
            return false;
        }

        foreach (var key in new[] { OutboxMetadata.FailedAt, OutboxMetadata.LastError, OutboxMetadata.Audited, OutboxMetadata.ClaimedAt, OutboxMetadata.ClaimId })
        {
            metadata.Remove(key);
        }

        metadata[OutboxMetadata.State] = OutboxMetadata.Pending;
        metadata[OutboxMetadata.Attempts] = "0";
        metadata[OutboxMetadata.NextAttemptAt] = WriteTime(time.GetUtcNow());
        try
        {
            await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false; // changed since it was read: another resend won
        }
    }

    /// <summary>Whether a message with <paramref name="metadata"/> should be claimed now.</summary>
    public bool IsDue(IReadOnlyDictionary<string, string> metadata, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return OutboxMetadata.StateOf(metadata) switch
        {
            OutboxMetadata.Pending => ReadTime(metadata, OutboxMetadata.NextAttemptAt) is not { } next || next <= now,
            OutboxMetadata.Sending => ReadTime(metadata, OutboxMetadata.ClaimedAt) is not { } claimed || claimed + options.ClaimTimeout <= now,
            _ => false,
        };
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: doubling from the first retry, capped, before jitter.</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var doubled = options.FirstRetryAfter.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, options.MaxRetryAfter.TotalMilliseconds));
    }

    private static bool NeedsFinishing(Dictionary<string, string> metadata) =>
        metadata.GetValueOrDefault(OutboxMetadata.State) is OutboxMetadata.Sent or OutboxMetadata.Failed &&
        metadata.GetValueOrDefault(OutboxMetadata.Audited) != "true";

    private async Task<Outcome> SendOneAsync(string blobName, ETag listedETag, Dictionary<string, string> listed, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var now = time.GetUtcNow();
        var attempt = (int.TryParse(listed.GetValueOrDefault(OutboxMetadata.Attempts), CultureInfo.InvariantCulture, out var before) ? before : 0) + 1;
        var claim = new Dictionary<string, string>(listed, StringComparer.OrdinalIgnoreCase)
        {
            [OutboxMetadata.State] = OutboxMetadata.Sending,
            [OutboxMetadata.ClaimedAt] = WriteTime(now),
            [OutboxMetadata.Attempts] = attempt.ToString(CultureInfo.InvariantCulture),
            [OutboxMetadata.ClaimId] = Guid.NewGuid().ToString("N"),
        };
        if (listed.GetValueOrDefault(OutboxMetadata.State) == OutboxMetadata.Sending)
        {
            logger.LogWarning("Outbox message {BlobName} was claimed at {ClaimedAt} and never finished: claiming it again (attempt {Attempt})", blobName, listed.GetValueOrDefault(OutboxMetadata.ClaimedAt), attempt);
        }

        // The claim: only the sender whose write matches the ETag it listed goes on; the other gets 412 and leaves it. A 412
        // can also be this sender's own claim: it took effect, its answer was lost, and the SDK's retry met it.
        ETag claimETag;
        try
        {
            claimETag = (await blob.SetMetadataAsync(claim, new BlobRequestConditions { IfMatch = listedETag }, cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            if (ex.Status == 404 || await OwnWriteAsync(blob, claim, cancellationToken) is not { } own)
            {
                return Outcome.Lost;
            }

            claimETag = own;
        }

        MimeMessage message;
        try
        {
            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = claimETag } }, cancellationToken);
            await using var content = download.Value.Content;
            message = await MimeMessage.LoadAsync(content, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return Outcome.Lost;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SendTimeout);
            await transport!.SendAsync(message, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return await RecordFailureAsync(blob, claim, claimETag, attempt, ex, cancellationToken);
        }

        // Accepted by the mail system. Until the next write lands, a crash here means the message is claimed again after the
        // claim timeout and sent a second time, with the same Message-ID (docs/emails.md, "Exactly once, and its limit").
        var sent = Terminal(claim, OutboxMetadata.Sent);
        sent[OutboxMetadata.SentAt] = WriteTime(time.GetUtcNow());
        sent[OutboxMetadata.Transport] = transport.Name;
        ETag markedETag;
        try
        {
            markedETag = (await blob.SetMetadataAsync(sent, new BlobRequestConditions { IfMatch = claimETag }, cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            if (ex.Status == 404 || await OwnWriteAsync(blob, sent, cancellationToken) is not { } own)
            {
                logger.LogWarning(
                    "Outbox message {BlobName} was sent through {Transport}, but its claim had been taken by another sender (the send took longer than Outbox:ClaimTimeout): it may go twice, with the same Message-ID",
                    blobName,
                    transport.Name);
                return Outcome.Lost;
            }

            markedETag = own; // this sender's mark, its answer lost
        }

        await FinishAsync(blobName, markedETag, sent, cancellationToken);
        logger.LogInformation("Outbox message {BlobName} sent through {Transport} (attempt {Attempt})", blobName, transport.Name, attempt);
        return Outcome.Sent;
    }

    private async Task<Outcome> RecordFailureAsync(BlobClient blob, Dictionary<string, string> claim, ETag claimETag, int attempt, Exception error, CancellationToken cancellationToken)
    {
        // The exception's type (and an SMTP status) says what went wrong; its message may quote an address, so it is not kept.
        var code = error is MailKit.Net.Smtp.SmtpCommandException smtp
            ? $"{error.GetType().Name}:{(int)smtp.StatusCode}"
            : error.GetType().Name;
        var now = time.GetUtcNow();
        Dictionary<string, string> next;
        if (attempt >= options.MaxAttempts)
        {
            next = Terminal(claim, OutboxMetadata.Failed);
            next[OutboxMetadata.FailedAt] = WriteTime(now);
        }
        else
        {
            next = new Dictionary<string, string>(claim, StringComparer.OrdinalIgnoreCase) { [OutboxMetadata.State] = OutboxMetadata.Pending };
            next.Remove(OutboxMetadata.ClaimedAt);
            next.Remove(OutboxMetadata.ClaimId);
            next[OutboxMetadata.NextAttemptAt] = WriteTime(now + Jittered(BackoffAfter(attempt)));
        }

        next[OutboxMetadata.LastError] = code;
        ETag written;
        try
        {
            written = (await blob.SetMetadataAsync(next, new BlobRequestConditions { IfMatch = claimETag }, cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            if (ex.Status == 404 || await OwnWriteAsync(blob, next, cancellationToken) is not { } own)
            {
                return Outcome.Lost;
            }

            written = own; // this sender's write, its answer lost
        }

        if (attempt >= options.MaxAttempts)
        {
            // Not the exception itself: a mail system's refusal often quotes the recipient's address.
            logger.LogError("Outbox message {BlobName} could not be sent after {Attempts} attempts ({Error}): it is failed and waits for staff", blob.Name, attempt, code);
            await FinishAsync(blob.Name, written, next, cancellationToken);
            return Outcome.Failed;
        }

        logger.LogWarning("Outbox message {BlobName}: attempt {Attempt} failed ({Error}); next attempt at {NextAttemptAt}", blob.Name, attempt, code, next[OutboxMetadata.NextAttemptAt]);
        return Outcome.Retrying;
    }

    /// <summary>
    /// After a conditional metadata write was refused (412): the blob's ETag when what it holds now is exactly
    /// <paramref name="written"/>, that is, this sender's own write took effect, its answer was lost (a timeout, a 500 after
    /// storage applied it) and the SDK's retry met it; else null. Each write carries this claim's fresh <c>claimId</c> or a
    /// time of its own, so another sender's write never matches.
    /// </summary>
    private static async Task<ETag?> OwnWriteAsync(BlobClient blob, Dictionary<string, string> written, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        var current = new Dictionary<string, string>(properties.Metadata, StringComparer.OrdinalIgnoreCase);
        return current.Count == written.Count && written.All(w => current.TryGetValue(w.Key, out var value) && value == w.Value) ? properties.ETag : null;
    }

    /// <summary>
    /// Audits a message that reached <c>sent</c> or <c>failed</c> (idempotently: a run that finds it unaudited after a crash
    /// appends nothing twice), opens the DPO's task for a failed one, and marks it <c>audited</c>.
    /// </summary>
    private async Task<Outcome> FinishAsync(string blobName, ETag etag, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var requestId = metadata.GetValueOrDefault(OutboxMetadata.RequestId);
        var messageKey = MessageKeyOf(blobName);
        var request = requestId is null ? null : await requests.FindAsync(requestId, cancellationToken);
        var failed = metadata.GetValueOrDefault(OutboxMetadata.State) == OutboxMetadata.Failed;
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["messageKey"] = messageKey,
            ["transport"] = metadata.GetValueOrDefault(OutboxMetadata.Transport) ?? transport?.Name ?? MailTransportOptions.None,
        };
        if (metadata.GetValueOrDefault(OutboxMetadata.Kind) is { Length: > 0 } kind)
        {
            details["kind"] = kind;
        }

        if (failed)
        {
            details["attempts"] = metadata.GetValueOrDefault(OutboxMetadata.Attempts) ?? "0";
            details["error"] = metadata.GetValueOrDefault(OutboxMetadata.LastError) ?? "unknown";
        }

        var action = failed ? AuditActions.MailSendFailed : AuditActions.MailSent;
        await audit.AppendAsync(
            new AuditEvent(AuditActors.System, action)
            {
                StudyId = request?.StudyId,
                RequestId = requestId,
                Details = details,
                IdempotencyKey = $"{requestId ?? "outbox"}:{messageKey}:{action}",
            },
            cancellationToken);

        if (failed && request is not null)
        {
            var now = time.GetUtcNow();
            await tasks.EnsureAsync(
                new ManualTask
                {
                    TaskId = TaskStore.IdFor(request.RequestId, TaskKind.MailSendFailed),
                    Workflow = WorkflowRef.Request(request.RequestId),
                    StudyId = request.StudyId,
                    Kind = TaskKind.MailSendFailed,
                    AssigneeRole = TaskKind.AssigneeOf(TaskKind.MailSendFailed),
                    CreatedAt = now,
                    DueAt = now + options.FailedTaskDueAfter,
                    Status = TaskStore.Open,
                },
                cancellationToken);
        }

        var finished = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase) { [OutboxMetadata.Audited] = "true" };
        try
        {
            await container.GetBlobClient(blobName).SetMetadataAsync(finished, new BlobRequestConditions { IfMatch = etag }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // Another run finished it (its audit entry is the same one), or retention deleted it.
        }

        return Outcome.Finished;
    }

    private static Dictionary<string, string> Terminal(Dictionary<string, string> claim, string state)
    {
        var result = new Dictionary<string, string>(claim, StringComparer.OrdinalIgnoreCase) { [OutboxMetadata.State] = state };
        result.Remove(OutboxMetadata.NextAttemptAt);
        return result;
    }

    /// <summary>"Equal jitter": between half the wait and all of it, so senders that failed together do not retry together.</summary>
    private static TimeSpan Jittered(TimeSpan wait) =>
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        TimeSpan.FromMilliseconds((wait.TotalMilliseconds / 2) + (Random.Shared.NextDouble() * wait.TotalMilliseconds / 2));
#pragma warning restore CA5394

    private static string MessageKeyOf(string blobName)
    {
        var name = blobName[(blobName.LastIndexOf('/') + 1)..];
        return name.EndsWith(".eml", StringComparison.Ordinal) ? name[..^4] : name;
    }

    private static DateTimeOffset? ReadTime(IReadOnlyDictionary<string, string> metadata, string key) => OutboxMetadata.ReadTime(metadata, key);

    private static string WriteTime(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private enum Outcome
    {
        Sent,
        Retrying,
        Failed,
        Lost,
        Finished,
    }
}

/// <summary>The metadata of an outbox blob: ids, codes and times only, never an address.</summary>
public static class OutboxMetadata
{
    /// <summary>A time the metadata holds under <paramref name="key"/> (ISO 8601, UTC), or null.</summary>
    public static DateTimeOffset? ReadTime(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata?.GetValueOrDefault(key) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;

    public const string RequestId = "requestId";
    public const string Kind = "kind";

    /// <summary><see cref="Pending"/>, <see cref="Sending"/>, <see cref="Sent"/> or <see cref="Failed"/>.</summary>
    public const string State = "state";

    /// <summary>Attempts begun so far (a claim counts as one).</summary>
    public const string Attempts = "attempts";

    public const string ClaimedAt = "claimedAt";

    /// <summary>A fresh id per claim, so two claims of one message differ even at the same instant.</summary>
    public const string ClaimId = "claimId";

    /// <summary>A pending message is not sent before this time (ISO 8601, UTC).</summary>
    public const string NextAttemptAt = "nextAttemptAt";

    public const string SentAt = "sentAt";

    /// <summary>The transport that sent it (<c>smtp</c>, <c>graph</c>).</summary>
    public const string Transport = "transport";

    public const string FailedAt = "failedAt";

    /// <summary>What the last failed attempt threw: an exception type, with an SMTP status code when there is one.</summary>
    public const string LastError = "lastError";

    /// <summary><c>true</c> once the message's <c>mail.sent</c> or <c>mail.send-failed</c> entry is in the audit log.</summary>
    public const string Audited = "audited";

    /// <summary>A message's state: <see cref="Pending"/> until a sender has written one (the one rule the sender, the health check and the metrics share).</summary>
    public static string StateOf(IReadOnlyDictionary<string, string> metadata) =>
        metadata?.GetValueOrDefault(State) ?? Pending;

    public const string Pending = EmailStates.Pending;
    public const string Sending = EmailStates.Sending;
    public const string Sent = EmailStates.Sent;
    public const string Failed = EmailStates.Failed;
}
