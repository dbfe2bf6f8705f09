using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Studies;

/// <summary>Studies, participants and sessions in Table storage, one partition per study.</summary>
public sealed class StudyStore(TableServiceClient tables)
{
    private const string StudyRowKey = "study";
    private readonly TableClient studies = tables.GetTableClient(StorageLayout.Tables.Studies);
    private readonly TableClient participants = tables.GetTableClient(StorageLayout.Tables.Participants);
    private readonly TableClient sessions = tables.GetTableClient(StorageLayout.Tables.Sessions);

    /// <summary>Normalises an email address for matching: trimmed, Unicode-normalised, lower case.</summary>
    public static string NormaliseEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().Normalize(System.Text.NormalizationForm.FormKC).ToLowerInvariant();
    }

    public async Task<Study?> FindStudyAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var response = await studies.GetEntityIfExistsAsync<TableEntity>(studyId, StudyRowKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? ToStudy(e) : null;
    }

    /// <summary>Every registered study.</summary>
    public async Task<IReadOnlyList<Study>> ListStudiesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<Study>();
        await foreach (var e in studies.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {StudyRowKey}"), cancellationToken: cancellationToken))
        {
            result.Add(ToStudy(e));
        }

        return result;
    }

    /// <summary>Registers or replaces a study; true when it was new.</summary>
    public async Task<bool> UpsertStudyAsync(Study study, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        var existed = (await studies.GetEntityIfExistsAsync<TableEntity>(study.StudyId, StudyRowKey, select: ["PartitionKey"], cancellationToken: cancellationToken)).HasValue;
        await studies.UpsertEntityAsync(new TableEntity(study.StudyId, StudyRowKey)
        {
            ["Title"] = study.Title,
            ["PolicySource"] = study.PolicySource,
            ["PolicyText"] = study.PolicyText,
            ["PolicyVersion"] = study.PolicyVersion,
            ["NoticeVersion"] = study.NoticeVersion,
            ["EndOfDataCollection"] = Format(study.EndOfDataCollection),
            ["AnalysisStartedOn"] = Format(study.AnalysisStartedOn),
            ["PublishedOn"] = Format(study.PublishedOn),
            ["RegisteredAt"] = study.RegisteredAt,
            ["UpdatedAt"] = study.UpdatedAt,
        }, TableUpdateMode.Replace, cancellationToken);
        return !existed;
    }

    /// <summary>Records the publication date of a study's report.</summary>
    public Task RecordPublicationAsync(string studyId, DateOnly publishedOn, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        studies.UpdateEntityAsync(
            new TableEntity(studyId, StudyRowKey) { ["PublishedOn"] = Format(publishedOn), ["UpdatedAt"] = at },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);

    /// <summary>Adds a participant; false when the study already has one with that email address.</summary>
    public async Task<bool> TryAddParticipantAsync(Participant participant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (participant.Email is not null && await FindParticipantByEmailAsync(participant.StudyId, participant.Email, cancellationToken) is not null)
        {
            return false;
        }

        await participants.AddEntityAsync(new TableEntity(participant.StudyId, participant.ParticipantId)
        {
            ["Name"] = participant.Name,
            ["Email"] = participant.Email,
            ["EmailNormalised"] = participant.Email is null ? null : NormaliseEmail(participant.Email),
            ["Phone"] = participant.Phone,
            ["NoticeVersion"] = participant.NoticeVersion,
            ["DoNotContact"] = participant.DoNotContact,
            ["RegisteredAt"] = participant.RegisteredAt,
        }, cancellationToken);
        return true;
    }

    public async Task<Participant?> FindParticipantAsync(string studyId, string participantId, CancellationToken cancellationToken = default)
    {
        var response = await participants.GetEntityIfExistsAsync<TableEntity>(studyId, participantId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? ToParticipant(e) : null;
    }

    /// <summary>The participant of the study holding that address (matched normalised), or null.</summary>
    public async Task<Participant?> FindParticipantByEmailAsync(string studyId, string email, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {studyId} and EmailNormalised eq {NormaliseEmail(email)}");
        await foreach (var e in participants.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            return ToParticipant(e);
        }

        return null;
    }

    /// <summary>Every participant of a study.</summary>
    public async Task<IReadOnlyList<Participant>> ListParticipantsAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var result = new List<Participant>();
        await foreach (var e in participants.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {studyId}"), cancellationToken: cancellationToken))
        {
            result.Add(ToParticipant(e));
        }

        return result;
    }

    public Task AddSessionAsync(Session session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return sessions.AddEntityAsync(new TableEntity(session.StudyId, session.SessionId)
        {
            ["Kind"] = session.Kind,
            ["Date"] = Format(session.Date),
            ["ParticipantIds"] = JsonSerializer.Serialize(session.ParticipantIds),
            ["SupplierId"] = session.SupplierId,
            ["RegisteredAt"] = session.RegisteredAt,
        }, cancellationToken);
    }

    public async Task<Session?> FindSessionAsync(string studyId, string sessionId, CancellationToken cancellationToken = default)
    {
        var response = await sessions.GetEntityIfExistsAsync<TableEntity>(studyId, sessionId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? ToSession(e) : null;
    }

    /// <summary>Every session of a study.</summary>
    public async Task<IReadOnlyList<Session>> ListSessionsAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var result = new List<Session>();
        await foreach (var e in sessions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {studyId}"), cancellationToken: cancellationToken))
        {
            result.Add(ToSession(e));
        }

        return result;
    }

    internal static string? Format(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateOnly? ParseDate(string? text) =>
        text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Study ToStudy(TableEntity e) => new()
    {
        StudyId = e.PartitionKey,
        Title = e.GetString("Title") ?? string.Empty,
        PolicySource = e.GetString("PolicySource") ?? string.Empty,
        PolicyText = e.GetString("PolicyText") ?? string.Empty,
        PolicyVersion = e.GetString("PolicyVersion") ?? string.Empty,
        NoticeVersion = e.GetString("NoticeVersion") ?? string.Empty,
        EndOfDataCollection = ParseDate(e.GetString("EndOfDataCollection")) ?? default,
        AnalysisStartedOn = ParseDate(e.GetString("AnalysisStartedOn")),
        PublishedOn = ParseDate(e.GetString("PublishedOn")),
        RegisteredAt = e.GetDateTimeOffset("RegisteredAt") ?? default,
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
    };

    private static Participant ToParticipant(TableEntity e) => new()
    {
        StudyId = e.PartitionKey,
        ParticipantId = e.RowKey,
        Name = e.GetString("Name"),
        Email = e.GetString("Email"),
        Phone = e.GetString("Phone"),
        NoticeVersion = e.GetString("NoticeVersion") ?? string.Empty,
        DoNotContact = e.GetBoolean("DoNotContact") ?? false,
        RegisteredAt = e.GetDateTimeOffset("RegisteredAt") ?? default,
    };

    private static Session ToSession(TableEntity e) => new()
    {
        StudyId = e.PartitionKey,
        SessionId = e.RowKey,
        Kind = e.GetString("Kind") ?? string.Empty,
        Date = ParseDate(e.GetString("Date")) ?? default,
        ParticipantIds = JsonSerializer.Deserialize<string[]>(e.GetString("ParticipantIds") ?? "[]") ?? [],
        SupplierId = e.GetString("SupplierId"),
        RegisteredAt = e.GetDateTimeOffset("RegisteredAt") ?? default,
    };
}
