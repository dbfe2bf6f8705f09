using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;

namespace Compliance.Retention;

/// <summary>Under what authority a deletion was made: a retention rule of a study, or a data-subject request.</summary>
public sealed record DeletionAuthority(string Kind, string StudyId, string? Rule, DateOnly? PublishedOn, DateOnly? DeletionDate, string? RequestId);

/// <summary>A hold that kept items back, and how many.</summary>
public sealed record HeldBack(string HoldId, string Kind, string Scope, int Blobs);

/// <summary>What the check after the deletion found: every planned item is unlistable, or these are still there.</summary>
public sealed record DeletionVerification(int Checked, int StillPresent, string Result);

/// <summary>
/// Proof of a deletion: each deleted item once (container, name, version or snapshot, size, checksum), when, how, under
/// what authority, the verification, the holds that kept items back, the contact details erased (by participant id), the
/// storage's soft-delete window after which nothing is recoverable, the recipients told, and the software's version.
/// It holds no personal data: names and ids are pseudonymous.
/// </summary>
public sealed record DeletionCertificate
{
    /// <summary>How sweeps and withdrawals delete, as their certificates state it.</summary>
    public const string BlobDeletionMethod = "Azure Blob Storage delete of each blob with every snapshot and every previous version, then a listing to verify; contact details overwritten in Table storage";

    /// <summary>The product's version, as built (informational version), for certificates.</summary>
    public static string CurrentSoftwareVersion { get; } =
        typeof(DeletionCertificate).Assembly.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>A recipient as certificates list it: <c>{supplierId}: told, confirmed yyyy-MM-dd</c> or <c>…: told, not confirmed</c>.</summary>
    public static string RecipientLine(string supplierId, DateTimeOffset? confirmedAt) =>
        confirmedAt is { } at
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{supplierId}: told, confirmed {at:yyyy-MM-dd}")
            : $"{supplierId}: told, not confirmed";

    public required string CertificateId { get; init; }
    public required DeletionAuthority Authority { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required string Method { get; init; }
    public required IReadOnlyList<InventoryItem> Items { get; init; }
    public required IReadOnlyList<string> ContactDetailsErased { get; init; }
    public required IReadOnlyList<HeldBack> HeldBack { get; init; }
    public required IReadOnlyList<string> ParticipantsHeld { get; init; }
    public required DeletionVerification Verification { get; init; }
    public required int HistoriesPurged { get; init; }
    public required int? SoftDeleteRetentionDays { get; init; }
    /// <summary>Each supplier told to delete its copies, as <see cref="RecipientLine"/> writes it.</summary>
    public required IReadOnlyList<string> RecipientsTold { get; init; }
    public required string SoftwareVersion { get; init; }

    public long TotalBytes => Items.Sum(i => i.Size);

    /// <summary>The certificate for people: the same facts as the JSON, in plain words.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"DELETION CERTIFICATE {CertificateId}");
        text.AppendLine();
        text.AppendLine(c, $"Study:            {Authority.StudyId}");
        text.AppendLine(c, $"Authority:        {(Authority.Kind == "request" ? $"data-subject request {Authority.RequestId}" : $"retention rule: {Authority.Rule}")}");
        if (Authority.PublishedOn is { } published)
        {
            text.AppendLine(c, $"Report published: {published:yyyy-MM-dd}; deletion date {Authority.DeletionDate:yyyy-MM-dd}");
        }

        text.AppendLine(c, $"Carried out:      {StartedAt:yyyy-MM-dd HH:mm:ss} to {CompletedAt:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine(c, $"Method:           {Method}");
        text.AppendLine(c, $"Verification:     {Verification.Result}: {Verification.Checked} items checked, {Verification.StillPresent} still present");
        text.AppendLine(c, $"Unrecoverable:    {(SoftDeleteRetentionDays is { } days ? $"after the storage's soft-delete window of {days} days" : "at once (no soft delete configured)")}");
        text.AppendLine(c, $"Histories purged: {HistoriesPurged} finished workflow histories of the study");
        text.AppendLine(c, $"Software:         Compliance {SoftwareVersion}");
        text.AppendLine();
        text.AppendLine(c, $"Deleted items ({Items.Count}, {TotalBytes} bytes):");
        foreach (var item in Items)
        {
            var which = item.Snapshot is not null ? $" snapshot {item.Snapshot}" : item.VersionId is not null ? $" version {item.VersionId}" : string.Empty;
            text.AppendLine(c, $"  {item.Container}/{item.BlobName}{which}  {item.Size} bytes{(item.Sha256 is null ? string.Empty : $"  sha256 {item.Sha256}")}");
        }

        text.AppendLine();
        text.AppendLine(c, $"Contact details erased ({ContactDetailsErased.Count} participants): {string.Join(", ", ContactDetailsErased)}");
        text.AppendLine(c, $"Kept back by holds: {(HeldBack.Count == 0 ? "nothing" : string.Join("; ", HeldBack.Select(h => $"{h.HoldId} ({h.Kind}, {h.Scope}): {h.Blobs} blobs")))}");
        if (ParticipantsHeld.Count > 0)
        {
            text.AppendLine(c, $"Contact details kept by holds: {string.Join(", ", ParticipantsHeld)}");
        }

        text.AppendLine(c, $"Recipients told: {(RecipientsTold.Count == 0 ? "none" : string.Join(", ", RecipientsTold))}");
        return text.ToString();
    }
}

/// <summary>
/// Deletion certificates in the <c>certificates</c> container, <c>{id}.json</c> and <c>{id}.txt</c>, written create-only:
/// a certificate is never overwritten (in Azure an immutability policy backs this up). Sweep inventories live beside them
/// under <c>sweeps/{sweepId}/</c>, also create-only.
/// </summary>
public sealed class CertificateStore(BlobServiceClient blobs)
{
    /// <summary>JSON as certificates are stored: camelCase, dates ISO 8601.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.Containers.Certificates);

    /// <summary>Whether <paramref name="id"/> has the shape of a certificate id (<c>DC-…</c>).</summary>
    public static bool IsCertificateId(string? id) => id is { Length: > 3 and <= 120 } && id.StartsWith("DC-", StringComparison.Ordinal) && id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_');

    /// <summary>Writes the certificate unless one with its id exists; returns false when it did (a repeated step).</summary>
    public async Task<bool> TryWriteAsync(DeletionCertificate certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var wrote = await TryCreateAsync($"{certificate.CertificateId}.json", JsonSerializer.SerializeToUtf8Bytes(certificate, Json), "application/json", cancellationToken, SummaryMetadata(Summarise(certificate)));
        await TryCreateAsync($"{certificate.CertificateId}.txt", Encoding.UTF8.GetBytes(certificate.Render()), "text/plain; charset=utf-8", cancellationToken);
        return wrote;
    }

    /// <summary>The certificate with that id, or null.</summary>
    public async Task<DeletionCertificate?> FindAsync(string certificateId, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = (await container.GetBlobClient($"{certificateId}.json").DownloadContentAsync(cancellationToken)).Value.Content;
            return content.ToObjectFromJson<DeletionCertificate>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// The study's certificates, newest first, from one listing of the container with its metadata (certificates written
    /// before the summary was kept in metadata are read whole instead; they are never rewritten, as they may be immutable).
    /// </summary>
    public async Task<IReadOnlyList<CertificateSummary>> ListAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var found = new List<CertificateSummary>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, "DC-", cancellationToken))
        {
            if (!blob.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            var summary = FromMetadata(blob.Name[..^".json".Length], blob.Metadata)
                ?? (await FindAsync(blob.Name[..^".json".Length], cancellationToken) is { } whole ? Summarise(whole) : null);
            if (summary?.StudyId == studyId)
            {
                found.Add(summary);
            }
        }

        return found.OrderByDescending(c => c.CompletedAt).ThenBy(c => c.CertificateId, StringComparer.Ordinal).ToList();
    }

    /// <summary>What the list shows of a certificate.</summary>
    public static CertificateSummary Summarise(DeletionCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new(certificate.CertificateId, certificate.Authority.StudyId, certificate.Authority.Kind, certificate.Authority.RequestId, certificate.CompletedAt, certificate.Items.Count, certificate.TotalBytes);
    }

    private static Dictionary<string, string> SummaryMetadata(CertificateSummary s) => new(StringComparer.Ordinal)
    {
        ["studyId"] = s.StudyId,
        ["kind"] = s.Kind,
        ["requestId"] = s.RequestId ?? string.Empty,
        ["completedAt"] = s.CompletedAt.ToString("O", CultureInfo.InvariantCulture),
        ["items"] = s.Items.ToString(CultureInfo.InvariantCulture),
        ["bytes"] = s.Bytes.ToString(CultureInfo.InvariantCulture),
    };

    private static CertificateSummary? FromMetadata(string certificateId, IDictionary<string, string>? metadata) =>
        metadata is not null
        && metadata.TryGetValue("studyId", out var studyId)
        && metadata.TryGetValue("kind", out var kind)
        && metadata.TryGetValue("completedAt", out var completedAt) && DateTimeOffset.TryParse(completedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
        && metadata.TryGetValue("items", out var items) && int.TryParse(items, CultureInfo.InvariantCulture, out var itemCount)
        && metadata.TryGetValue("bytes", out var bytes) && long.TryParse(bytes, CultureInfo.InvariantCulture, out var byteCount)
            ? new CertificateSummary(certificateId, studyId, kind, metadata.TryGetValue("requestId", out var r) && r.Length > 0 ? r : null, at, itemCount, byteCount)
            : null;

    /// <summary>The human-readable rendering of a certificate, or null.</summary>
    public async Task<string?> FindTextAsync(string certificateId, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await container.GetBlobClient($"{certificateId}.txt").DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Stores a sweep's inventory once; a restarted sweep reads the first one back instead of taking another.</summary>
    public async Task<RetentionInventory> KeepInventoryAsync(RetentionInventory inventory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (!await TryCreateAsync(InventoryName(inventory.SweepId), JsonSerializer.SerializeToUtf8Bytes(inventory, Json), "application/json", cancellationToken))
        {
            return (await ReadInventoryAsync(inventory.SweepId, cancellationToken))!;
        }

        return inventory;
    }

    /// <summary>A sweep's stored inventory, or null before it is taken.</summary>
    public async Task<RetentionInventory?> ReadInventoryAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await container.GetBlobClient(InventoryName(sweepId)).DownloadContentAsync(cancellationToken)).Value.Content.ToObjectFromJson<RetentionInventory>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static string InventoryName(string sweepId) => $"sweeps/{sweepId}/inventory.json";

    private Task<bool> TryCreateAsync(string name, byte[] content, string contentType, CancellationToken cancellationToken, IDictionary<string, string>? metadata = null) =>
        container.GetBlobClient(name).TryCreateAsync(new BinaryData(content), contentType, metadata, cancellationToken);
}
