using Azure;
using Azure.Data.Tables;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;

namespace Compliance.Participants;

/// <summary>A new email address a rectify-contact request asks for, waiting for the code sent to that address.</summary>
public sealed record PendingEmailChange(
    string RequestId,
    string StudyId,
    string ParticipantId,
    string? NewEmail,
    DateTimeOffset CodeExpiresAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? AppliedAt);

/// <summary>
/// A new email address must be confirmed by a code sent to it before it replaces the one held, so a mistyped or someone
/// else's address never becomes the participant's. The address and the code's hash wait in a <c>pending-email</c> row of the
/// request's partition in the <c>Requests</c> table (never in the orchestration); the code is checked exactly as the
/// request's identity code is, with its own hash binding so neither code can stand in for the other.
/// </summary>
public sealed class PendingContactChanges(TableServiceClient tables, StudyStore studies)
{
    private const string RowKey = "pending-email";
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Requests);

    /// <summary>The hash to store for a code sent to the new address of request <paramref name="requestId"/>.</summary>
    public static string HashCode(string requestId, string code) => VerificationCodes.Hash(Binding(requestId), code);

    /// <summary>
    /// Records the new address and the hash of its code (from <see cref="HashCode"/>), resetting wrong attempts; a new code
    /// replaces an earlier one. Once the address is confirmed nothing changes any more and this returns false.
    /// </summary>
    public async Task<bool> SetPendingEmailAsync(
        string requestId,
        string studyId,
        string participantId,
        string newEmail,
        string codeHash,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentException.ThrowIfNullOrEmpty(newEmail);
        ArgumentException.ThrowIfNullOrEmpty(codeHash);
        var row = new TableEntity(requestId, RowKey)
        {
            ["StudyId"] = studyId,
            ["ParticipantId"] = participantId,
            ["NewEmail"] = newEmail.Trim(),
            [CodeRow.Hash] = codeHash,
            [CodeRow.ExpiresAt] = expiresAt,
            [CodeRow.Attempts] = 0,
        };
        for (var attempt = 0; ; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(requestId, RowKey, cancellationToken: cancellationToken);
            try
            {
                if (!existing.HasValue || existing.Value is not { } current)
                {
                    await table.AddEntityAsync(row, cancellationToken);
                    return true;
                }

                if (current.GetDateTimeOffset(CodeRow.VerifiedAt) is not null)
                {
                    return false;
                }

                await table.UpdateEntityAsync(row, current.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 10)
            {
                // Written by another attempt meanwhile: read it again.
            }
        }
    }

    /// <summary>The pending change of a request, or null.</summary>
    public async Task<PendingEmailChange?> FindPendingEmailAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, RowKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e
            ? new PendingEmailChange(
                requestId,
                e.GetString("StudyId") ?? string.Empty,
                e.GetString("ParticipantId") ?? string.Empty,
                e.GetString("NewEmail"),
                e.GetDateTimeOffset(CodeRow.ExpiresAt) ?? default,
                e.GetDateTimeOffset(CodeRow.VerifiedAt),
                e.GetDateTimeOffset("AppliedAt"))
            : null;
    }

    /// <summary>
    /// Checks a code for the new address, counting wrong ones and locking after <paramref name="maxAttempts"/> (the policy's
    /// <c>verification.maxAttempts</c>), as <see cref="RequestStore.CheckCodeAsync"/> does for the identity code.
    /// </summary>
    public Task<CodeCheck> CheckPendingEmailCodeAsync(string requestId, string code, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentNullException.ThrowIfNull(code);
        return CodeRow.CheckAsync(table, requestId, RowKey, Binding(requestId), code, now, maxAttempts, row => row.GetString("NewEmail") is not null, cancellationToken);
    }

    /// <summary>
    /// Makes a confirmed new address the participant's (<see cref="StudyStore.UpdateContactAsync"/>), then marks the change
    /// applied and drops the address from this row. Safe to repeat: once applied it answers <see cref="ContactChange.Unchanged"/>.
    /// </summary>
    public async Task<ContactChange> ApplyPendingEmailAsync(string requestId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, RowKey, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } row || row.GetDateTimeOffset(CodeRow.VerifiedAt) is null)
        {
            return ContactChange.NotConfirmed;
        }

        if (row.GetDateTimeOffset("AppliedAt") is not null)
        {
            return ContactChange.Unchanged;
        }

        var result = await studies.UpdateContactAsync(
            row.GetString("StudyId") ?? string.Empty,
            row.GetString("ParticipantId") ?? string.Empty,
            name: null,
            phone: null,
            email: row.GetString("NewEmail"),
            at,
            cancellationToken);
        if (result is ContactChange.Updated or ContactChange.Unchanged)
        {
            row.Remove("NewEmail");
            row.Remove(CodeRow.Hash);
            row["AppliedAt"] = at;
            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, cancellationToken);
        }

        return result;
    }

    /// <summary>Forgets a new address that was never confirmed (the request closed without it), so it is not kept for nothing.</summary>
    public async Task DiscardPendingEmailAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, RowKey, cancellationToken: cancellationToken);
        if (response.HasValue && response.Value is { } row && row.GetDateTimeOffset("AppliedAt") is null)
        {
            await table.DeleteEntityAsync(requestId, RowKey, ETag.All, cancellationToken);
        }
    }

    /// <summary>What the new address's code is bound to: the request, and the purpose, so the identity code cannot confirm an address.</summary>
    private static string Binding(string requestId) => $"{requestId}:new-email";
}
