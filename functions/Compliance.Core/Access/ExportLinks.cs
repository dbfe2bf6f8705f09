using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Compliance.Policies;
using Compliance.Studies;
using Microsoft.Extensions.Logging;

namespace Compliance.Access;

/// <summary>A read-only link to one blob and when it stops working. The URI is a bearer credential: email it, never log or store it.</summary>
public sealed record ExportLink(Uri Uri, DateTimeOffset ExpiresOn);

/// <summary>
/// Read-only links (SAS) to single blobs: a user-delegation SAS signed with a key the app's identity obtains when storage is
/// reached with a token (production, where the account accepts no shared keys), a service SAS signed with the account key
/// when it is reached with a connection string (Azurite). See docs/access.md.
/// </summary>
public sealed class ExportLinks(BlobServiceClient blobs, StudyPolicies policies, TimeProvider time, ILogger<ExportLinks> logger)
{
    /// <summary>The longest a user-delegation key, and so a link signed with it, may be valid (an Azure Storage limit).</summary>
    public static readonly TimeSpan MaxUserDelegationValidity = TimeSpan.FromDays(7);

    // Allowance for the storage service's clock being a little behind ours when the key starts.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A read link to an access export, valid for the study policy's <c>access.exportLinkValidFor</c> from now.</summary>
    /// <exception cref="InvalidOperationException">The study is not registered.</exception>
    public async Task<ExportLink> CreateAsync(string studyId, AccessExport export, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(export);
        var (_, policy) = await policies.GetAsync(studyId, cancellationToken);
        var expiresOn = ExpiryFor(policy.Access.ExportLinkValidFor, time.GetUtcNow());
        var blob = blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName);
        return new ExportLink(await CreateReadLinkAsync(blob, expiresOn, cancellationToken), expiresOn);
    }

    /// <summary>
    /// A URI that reads <paramref name="blob"/> and nothing else (no write, no delete, no listing) until
    /// <paramref name="expiresOn"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An expiry that has passed, or, for a user-delegation SAS, more than seven days away.</exception>
    public async Task<Uri> CreateReadLinkAsync(BlobClient blob, DateTimeOffset expiresOn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var now = time.GetUtcNow();
        if (expiresOn <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), expiresOn, "A link must expire in the future.");
        }

        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.None,
        };

        if (blob.CanGenerateSasUri)
        {
            logger.LogInformation("Read link to {Container}/{BlobName} signed with the account key, valid until {ExpiresOn}", blob.BlobContainerName, blob.Name, expiresOn);
            return blob.GenerateSasUri(sas);
        }

        if (expiresOn - now > MaxUserDelegationValidity)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresOn), expiresOn, $"A user-delegation link can be valid for at most {MaxUserDelegationValidity.TotalDays} days.");
        }

        // The key must not outlive its start by more than the limit, so the skew allowance shrinks for the longest links.
        var keyStart = Max(now - ClockSkew, expiresOn - MaxUserDelegationValidity);
        var service = blob.GetParentBlobContainerClient().GetParentBlobServiceClient();
        var key = (await service.GetUserDelegationKeyAsync(keyStart, expiresOn, cancellationToken)).Value;
        var uri = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, service.AccountName) }.ToUri();
        logger.LogInformation("Read link to {Container}/{BlobName} signed with a user-delegation key, valid until {ExpiresOn}", blob.BlobContainerName, blob.Name, expiresOn);
        return uri;
    }

    /// <summary>When a link made at <paramref name="now"/> and valid for <paramref name="validFor"/> expires.</summary>
    public static DateTimeOffset ExpiryFor(Period validFor, DateTimeOffset now) =>
        new(validFor.AddTo(now.UtcDateTime), TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
