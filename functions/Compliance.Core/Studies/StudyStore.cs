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

    /// <summary>The columns an erasure removes; <c>EmailNormalised</c> is the one requests are matched by.</summary>
    private static readonly string[] ContactFields = ["Name", "Email", "EmailNormalised", "Phone"];

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

    /// <summary>
    /// Erases a participant's contact details: name, email (and its normalised form, so the address no longer finds them)
    /// and phone. The pseudonymous id and the notice version stay, and the participant is marked do-not-contact.
    /// </summary>
    public Task<ContactChange> EraseContactAsync(string studyId, string participantId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ChangeParticipantAsync(studyId, participantId, row =>
        {
            if (ContactFields.All(f => row.GetString(f) is null) && row.GetBoolean("DoNotContact") == true)
            {
                return false;
            }

            foreach (var field in ContactFields)
            {
                // Removed, not set to null: a replace then leaves no property at all, so nothing of the value survives in the row.
                row.Remove(field);
            }

            row["DoNotContact"] = true;
            row["ErasedAt"] = at;
            row["UpdatedAt"] = at;
            return true;
        }, cancellationToken);

    /// <summary>Marks a participant as not to be contacted again (opt-out); their contact details stay.</summary>
    public Task<ContactChange> SetDoNotContactAsync(string studyId, string participantId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ChangeParticipantAsync(studyId, participantId, row =>
        {
            if (row.GetBoolean("DoNotContact") == true)
            {
                return false;
            }

            row["DoNotContact"] = true;
            row["UpdatedAt"] = at;
            return true;
        }, cancellationToken);

    /// <summary>
    /// Rectifies contact details: each value given replaces the one held, null leaves it as it is. A new email address also
    /// becomes the one requests are matched by; one already held by another participant of the study is refused
    /// (<see cref="ContactChange.EmailInUse"/>), as at registration. Do-not-contact is not changed.
    /// </summary>
    public async Task<ContactChange> UpdateContactAsync(
        string studyId,
        string participantId,
        string? name,
        string? phone,
        string? email,
        DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        name = Given(name, nameof(name));
        phone = Given(phone, nameof(phone));
        email = Given(email, nameof(email));
        if (email is not null && !Mail.EmailAddresses.IsPlain(email))
        {
            throw new ArgumentException("Not a single plain email address.", nameof(email));
        }

        // Like registration, a check and not a lock: two participants given the same new address at the same moment could both get it.
        if (email is not null && await FindParticipantByEmailAsync(studyId, email, cancellationToken) is { } holder &&
            !string.Equals(holder.ParticipantId, participantId, StringComparison.Ordinal))
        {
            return ContactChange.EmailInUse;
        }

        return await ChangeParticipantAsync(studyId, participantId, row =>
        {
            var changed = false;
            foreach (var (field, value) in new[] { ("Name", name), ("Phone", phone), ("Email", email), ("EmailNormalised", email is null ? null : NormaliseEmail(email)) })
            {
                if (value is not null && !string.Equals(row.GetString(field), value, StringComparison.Ordinal))
                {
                    row[field] = value;
                    changed = true;
                }
            }

            if (changed)
            {
                row["UpdatedAt"] = at;
            }

            return changed;
        }, cancellationToken);
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

    /// <summary>
    /// Reads the participant's row, lets <paramref name="change"/> edit it (false: nothing to do) and replaces it if nobody
    /// changed it meanwhile, reading again otherwise, so concurrent changes are not lost.
    /// </summary>
    private async Task<ContactChange> ChangeParticipantAsync(string studyId, string participantId, Func<TableEntity, bool> change, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyId);
        ArgumentException.ThrowIfNullOrEmpty(participantId);
        for (var attempt = 0; ; attempt++)
        {
            var response = await participants.GetEntityIfExistsAsync<TableEntity>(studyId, participantId, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is not { } row)
            {
                return ContactChange.ParticipantNotFound;
            }

            if (!change(row))
            {
                return ContactChange.Unchanged;
            }

            try
            {
                await participants.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return ContactChange.Updated;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
                // Changed by someone else since it was read: read it again and decide again.
            }
        }
    }

    /// <summary>A value given for a contact field, trimmed; null means "not given". An empty value is an error: erasing is a separate step.</summary>
    private static string? Given(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.Trim();
        return trimmed.Length > 0 ? trimmed : throw new ArgumentException("An empty value; erase contact details instead.", field);
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
        ErasedAt = e.GetDateTimeOffset("ErasedAt"),
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt"),
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
