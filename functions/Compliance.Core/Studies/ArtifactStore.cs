using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;

namespace Compliance.Studies;

/// <summary>An upload was larger than its kind allows.</summary>
public sealed class ArtifactTooLargeException(long maxBytes) : Exception($"The upload is larger than the {maxBytes} bytes allowed.")
{
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// Research material in blob storage with its index in the <c>Artifacts</c> table: a row per artifact and a row per
/// participant it concerns (<c>participant|{participantId}|{artifactId}</c>), written together.
/// </summary>
public sealed class ArtifactStore(TableServiceClient tables, BlobServiceClient blobs)
{
    private const string ParticipantIndexPrefix = "participant|";
    private const int BlockSize = 4 * 1024 * 1024;
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Artifacts);

    /// <summary>
    /// Streams <paramref name="content"/> to a new blob in the kind's container, never holding more than one block in memory,
    /// hashing and counting it on the way; then indexes it. The blob is committed only when the whole body has arrived within
    /// <paramref name="maxBytes"/>, and removed again if indexing fails, so a failed upload leaves nothing behind.
    /// </summary>
    public async Task<Artifact> UploadAsync(
        Session session,
        string kind,
        string contentType,
        string extension,
        Stream content,
        long maxBytes,
        string uploadedBy,
        DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var artifactId = PseudonymousId.New(PseudonymousId.Artifact);
        var container = ArtifactContainers.ContainerOf(kind);
        var blobName = $"{session.StudyId}/{session.SessionId}/{artifactId}{extension}";
        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);

        await using var counted = new HashingLimitedStream(content, maxBytes);
        await blob.UploadAsync(counted, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize, MaximumConcurrency = 1 },
            Metadata = new Dictionary<string, string> { ["studyId"] = session.StudyId, ["sessionId"] = session.SessionId, ["artifactId"] = artifactId, ["kind"] = kind },
        }, cancellationToken);

        var artifact = new Artifact
        {
            StudyId = session.StudyId,
            ArtifactId = artifactId,
            SessionId = session.SessionId,
            ParticipantIds = session.ParticipantIds,
            Kind = kind,
            Container = container,
            BlobName = blobName,
            ContentType = contentType,
            Size = counted.BytesRead,
            Sha256 = counted.HashHex(),
            UploadedAt = at,
            UploadedBy = uploadedBy,
        };

        try
        {
            await IndexAsync(artifact, cancellationToken);
        }
        catch
        {
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: CancellationToken.None);
            throw;
        }

        return artifact;
    }

    /// <summary>Writes the index rows of an artifact whose blob already exists.</summary>
    public async Task IndexAsync(Artifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(artifact.StudyId, artifact.ArtifactId)
            {
                ["SessionId"] = artifact.SessionId,
                ["ParticipantIds"] = JsonSerializer.Serialize(artifact.ParticipantIds),
                ["Kind"] = artifact.Kind,
                ["Container"] = artifact.Container,
                ["BlobName"] = artifact.BlobName,
                ["ContentType"] = artifact.ContentType,
                ["Size"] = artifact.Size,
                ["Sha256"] = artifact.Sha256,
                ["UploadedAt"] = artifact.UploadedAt,
                ["UploadedBy"] = artifact.UploadedBy,
            }),
        };
        actions.AddRange(artifact.ParticipantIds.Select(p => new TableTransactionAction(
            TableTransactionActionType.Add,
            new TableEntity(artifact.StudyId, $"{ParticipantIndexPrefix}{p}|{artifact.ArtifactId}") { ["ArtifactId"] = artifact.ArtifactId })));
        await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>
    /// Removes an artifact's index: its row and its rows per participant, in one transaction so that no participant row is
    /// left pointing at nothing. Rows already gone count as removed, so a second call after a crash changes nothing.
    /// </summary>
    public async Task DeleteIndexAsync(Artifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var keys = artifact.ParticipantIds.Select(p => $"{ParticipantIndexPrefix}{p}|{artifact.ArtifactId}").Prepend(artifact.ArtifactId).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            await table.SubmitTransactionAsync(
                keys.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(artifact.StudyId, k), ETag.All)),
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // Some row is already gone and a transaction deletes all or nothing; a single delete of a missing row succeeds.
            foreach (var key in keys)
            {
                await table.DeleteEntityAsync(artifact.StudyId, key, ETag.All, cancellationToken);
            }
        }
    }

    public async Task<Artifact?> FindAsync(string studyId, string artifactId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(studyId, artifactId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? ToArtifact(e) : null;
    }

    /// <summary>Every artifact of a study (not the index rows).</summary>
    public Task<IReadOnlyList<Artifact>> ListByStudyAsync(string studyId, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {studyId} and RowKey lt {ParticipantIndexPrefix}"), cancellationToken);

    /// <summary>The blob of <paramref name="artifact"/>.</summary>
    public BlobClient BlobOf(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var container = string.IsNullOrEmpty(artifact.Container) ? ArtifactContainers.ContainerOf(artifact.Kind) : artifact.Container;
        return blobs.GetBlobContainerClient(container).GetBlobClient(artifact.BlobName);
    }

    /// <summary>Every artifact of a session.</summary>
    public Task<IReadOnlyList<Artifact>> ListBySessionAsync(string studyId, string sessionId, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {studyId} and RowKey lt {ParticipantIndexPrefix} and SessionId eq {sessionId}"), cancellationToken);

    /// <summary>Every artifact that concerns a participant.</summary>
    public async Task<IReadOnlyList<Artifact>> ListByParticipantAsync(string studyId, string participantId, CancellationToken cancellationToken = default)
    {
        var prefix = $"{ParticipantIndexPrefix}{participantId}|";
        var result = new List<Artifact>();
        await foreach (var index in table.QueryAsync<TableEntity>(
                           TableClient.CreateQueryFilter($"PartitionKey eq {studyId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"),
                           cancellationToken: cancellationToken))
        {
            if (await FindAsync(studyId, index.GetString("ArtifactId")!, cancellationToken) is { } artifact)
            {
                result.Add(artifact);
            }
        }

        return result;
    }

    private async Task<IReadOnlyList<Artifact>> QueryAsync(string filter, CancellationToken cancellationToken)
    {
        var result = new List<Artifact>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add(ToArtifact(e));
        }

        return result;
    }

    private static Artifact ToArtifact(TableEntity e) => new()
    {
        StudyId = e.PartitionKey,
        ArtifactId = e.RowKey,
        SessionId = e.GetString("SessionId") ?? string.Empty,
        ParticipantIds = JsonSerializer.Deserialize<string[]>(e.GetString("ParticipantIds") ?? "[]") ?? [],
        Kind = e.GetString("Kind") ?? string.Empty,
        Container = e.GetString("Container") ?? string.Empty,
        BlobName = e.GetString("BlobName") ?? string.Empty,
        ContentType = e.GetString("ContentType") ?? string.Empty,
        Size = e.GetInt64("Size") ?? 0,
        Sha256 = e.GetString("Sha256") ?? string.Empty,
        UploadedAt = e.GetDateTimeOffset("UploadedAt") ?? default,
        UploadedBy = e.GetString("UploadedBy") ?? string.Empty,
    };

    /// <summary>Reads through, hashing and counting, and fails as soon as more than the limit has arrived.</summary>
    private sealed class HashingLimitedStream(Stream inner, long maxBytes) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public string HashHex() => Convert.ToHexStringLower(hash.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Count(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                hash.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(ReadOnlySpan<byte> read)
        {
            BytesRead += read.Length;
            if (BytesRead > maxBytes)
            {
                throw new ArtifactTooLargeException(maxBytes);
            }

            hash.AppendData(read);
            return read.Length;
        }
    }
}
