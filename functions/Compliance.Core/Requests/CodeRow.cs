using Azure;
using Azure.Data.Tables;

namespace Compliance.Requests;

/// <summary>
/// A table row that waits for a verification code: its hash (<c>CodeHash</c>), expiry (<c>CodeExpiresAt</c>), wrong attempts
/// (<c>CodeAttempts</c>) and, once right, <c>VerifiedAt</c>. One check for the request's identity code and for a new
/// address's confirmation code, so both count attempts and lock out the same way.
/// </summary>
internal static class CodeRow
{
    public const string Hash = "CodeHash";
    public const string ExpiresAt = "CodeExpiresAt";
    public const string Attempts = "CodeAttempts";
    public const string VerifiedAt = "VerifiedAt";

    /// <summary>
    /// Checks <paramref name="code"/> against the row's hash, bound to <paramref name="binding"/>. Wrong codes are counted (with
    /// optimistic concurrency, so parallel guesses all count) and after <paramref name="maxAttempts"/> the code is locked until a
    /// new one is issued. A missing row, or one not <paramref name="awaitingCode"/>, answers as a wrong code does.
    /// </summary>
    public static async Task<CodeCheck> CheckAsync(
        TableClient table,
        string partitionKey,
        string rowKey,
        string binding,
        string code,
        DateTimeOffset now,
        int maxAttempts,
        Func<TableEntity, bool> awaitingCode,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is not { } row || row.GetString(Hash) is not { } hash)
            {
                return CodeCheck.Rejected;
            }

            // The code is checked first: whether a request exists or is verified must not show to someone without its code.
            var right = VerificationCodes.Matches(binding, code, hash);
            if (row.GetDateTimeOffset(VerifiedAt) is not null)
            {
                return right ? CodeCheck.AlreadyVerified : CodeCheck.Rejected;
            }

            if (!awaitingCode(row))
            {
                return CodeCheck.Rejected;
            }

            var attempts = row.GetInt32(Attempts) ?? 0;
            if (attempts >= maxAttempts)
            {
                return CodeCheck.Locked;
            }

            if (now > (row.GetDateTimeOffset(ExpiresAt) ?? DateTimeOffset.MinValue))
            {
                return CodeCheck.Expired;
            }

            var update = new TableEntity(partitionKey, rowKey);
            if (right)
            {
                update[VerifiedAt] = now;
            }
            else
            {
                update[Attempts] = attempts + 1;
            }

            try
            {
                await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, cancellationToken);
                return right ? CodeCheck.Verified : (attempts + 1 >= maxAttempts ? CodeCheck.Locked : CodeCheck.Rejected);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another attempt changed the row first; read it again so that every attempt is counted.
            }
        }

        return CodeCheck.Rejected;
    }
}
