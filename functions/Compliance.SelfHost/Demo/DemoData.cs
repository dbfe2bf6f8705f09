using System.Buffers.Binary;
using System.Text;
using Compliance.Audit;
using Compliance.Policies;
using Compliance.Studies;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Demo;

/// <summary>
/// Fictional demo data for a first local run: the MPATI study under its policy file, four participants, one interview and one
/// focus group with small recordings, transcripts (plain text and .docx) and notes. Names use example domains and Ofcom's
/// drama telephone numbers; nothing here is about a real person.
/// </summary>
public sealed class DemoData(StudyStore studies, ArtifactStore artifacts, Suppliers.SupplierStore suppliers, AuditLog audit, PolicyCatalog policies, TimeProvider time, ILogger<DemoData> logger)
{
    public const string StudyId = "MPATI";
    public const string PolicyFile = "mpati";
    public const string Actor = "system:demo-data";

    /// <summary>The demo study's transcription supplier (the notice's "transcription company"); its address is fictional.</summary>
    public const string SupplierId = "mcgowan-transcriptions";
    public const string SupplierEmail = "deletions@mcgowan-transcriptions.example";

    /// <summary>The fictional participants (name, email, phone).</summary>
    public static IReadOnlyList<(string Name, string Email, string Phone)> People { get; } =
    [
        ("Alex Morgan", "alex.morgan@example.org", "01632 960001"),
        ("Sam Patel", "sam.patel@example.org", "01632 960002"),
        ("Jordan Lee", "jordan.lee@example.com", "01632 960003"),
        ("Casey Evans", "casey.evans@example.net", "01632 960004"),
    ];

    /// <summary>Seeds the demo study when storage holds no study at all; returns whether it did.</summary>
    public async Task<bool> SeedIfEmptyAsync(CancellationToken cancellationToken = default)
    {
        if ((await studies.ListStudiesAsync(cancellationToken)).Count > 0)
        {
            return false;
        }

        if (!policies.TryGet(PolicyFile, out var policy, out var policyText))
        {
            throw new InvalidOperationException($"The demo study needs the policy file '{PolicyFile}' under policies/.");
        }

        var now = time.GetUtcNow();
        var study = new Study
        {
            StudyId = StudyId,
            Title = "Public Sector Management Practices Survey: qualitative follow-up (demo data)",
            PolicySource = PolicyFile,
            PolicyText = policyText!,
            PolicyVersion = policy!.PolicyVersion,
            NoticeVersion = policy.Notice.Version,
            EndOfDataCollection = new DateOnly(2024, 8, 16),
            RegisteredAt = now,
            UpdatedAt = now,
        };
        await studies.UpsertStudyAsync(study, cancellationToken);
        await audit.AppendAsync(StudyAuditEvents.StudyRegistered(study, Actor, created: true), cancellationToken);

        var ids = new List<string>();
        foreach (var (name, email, phone) in People)
        {
            var participant = new Participant
            {
                StudyId = StudyId,
                ParticipantId = PseudonymousId.New(PseudonymousId.Participant),
                Name = name,
                Email = email,
                Phone = phone,
                NoticeVersion = policy.Notice.Version,
                RegisteredAt = now,
            };
            await studies.TryAddParticipantAsync(participant, cancellationToken);
            await audit.AppendAsync(StudyAuditEvents.ParticipantRegistered(participant, Actor), cancellationToken);
            ids.Add(participant.ParticipantId);
        }

        var interview = new Session
        {
            StudyId = StudyId,
            SessionId = PseudonymousId.New(PseudonymousId.Session),
            Kind = SessionKind.Interview,
            Date = new DateOnly(2024, 7, 10),
            ParticipantIds = [ids[0]],
            SupplierId = SupplierId,
            RegisteredAt = now,
        };
        var focusGroup = new Session
        {
            StudyId = StudyId,
            SessionId = PseudonymousId.New(PseudonymousId.Session),
            Kind = SessionKind.FocusGroup,
            Date = new DateOnly(2024, 7, 18),
            ParticipantIds = [ids[1], ids[2], ids[3]],
            SupplierId = SupplierId,
            RegisteredAt = now,
        };
        await suppliers.UpsertAsync(
            new Suppliers.Supplier { SupplierId = SupplierId, Name = "McGowan Transcriptions", Email = SupplierEmail, Approved = true, ContractSignedOn = new DateOnly(2024, 5, 1), UpdatedAt = now },
            cancellationToken);
        foreach (var session in new[] { interview, focusGroup })
        {
            await studies.AddSessionAsync(session, cancellationToken);
            await audit.AppendAsync(StudyAuditEvents.SessionRegistered(session, Actor), cancellationToken);
        }

        await UploadAsync(interview, ArtifactKind.Recording, "audio/wav", ".wav", Silence(seconds: 1), now, cancellationToken);
        await UploadAsync(interview, ArtifactKind.Transcript, "text/plain", ".txt", Encoding.UTF8.GetBytes(InterviewTranscript), now, cancellationToken);
        await UploadAsync(interview, ArtifactKind.Notes, "text/plain", ".txt", Encoding.UTF8.GetBytes(InterviewNotes), now, cancellationToken);
        await UploadAsync(focusGroup, ArtifactKind.Recording, "audio/wav", ".wav", Silence(seconds: 2), now, cancellationToken);
        await UploadAsync(focusGroup, ArtifactKind.Transcript, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", Docx(FocusGroupTranscript), now, cancellationToken);
        await UploadAsync(focusGroup, ArtifactKind.Notes, "text/markdown", ".md", Encoding.UTF8.GetBytes(FocusGroupNotes), now, cancellationToken);

        logger.LogInformation("Seeded demo study {StudyId}: {Participants} participants, sessions {Interview} and {FocusGroup}", StudyId, ids.Count, interview.SessionId, focusGroup.SessionId);
        return true;
    }

    private async Task UploadAsync(Session session, string kind, string contentType, string extension, byte[] content, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content);
        var artifact = await artifacts.UploadAsync(session, kind, contentType, extension, stream, long.MaxValue, Actor, at, cancellationToken);
        await audit.AppendAsync(StudyAuditEvents.ArtifactUploaded(artifact), cancellationToken);
    }

    /// <summary>A mono 8 kHz 16-bit WAV of silence: a real, playable recording of a few kilobytes.</summary>
    private static byte[] Silence(int seconds)
    {
        const int rate = 8000;
        var dataBytes = rate * 2 * seconds;
        var wav = new byte[44 + dataBytes];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(wav, 0);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 36 + dataBytes);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(wav, 8);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), 16);
        Encoding.ASCII.GetBytes("data").CopyTo(wav, 36);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), dataBytes);
        return wav;
    }

    /// <summary>A Word document with one paragraph per line.</summary>
    private static byte[] Docx(string text)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(text.Split('\n').Select(line => new Paragraph(new Run(new Text(line) { Space = SpaceProcessingModeValues.Preserve })))));
            main.Document.Save();
        }

        return stream.ToArray();
    }

    /// <summary>The interview transcript (plain text speaker turns).</summary>
    public const string InterviewTranscript =
        """
        Interviewer: Thank you for taking part. Could you describe how performance is managed where you work?
        Alex Morgan: We have quarterly reviews. My manager, Priya Shah, sets targets with each of us.
        Interviewer: How well does that work?
        Alex Morgan: Mostly well. You can reach me on alex.morgan@example.org if you need anything after this.
        Interviewer: Thank you. Anything else you would like to add?
        Alex Morgan: Only that the office in Newport, NP10 8XG, has changed a lot since 2019.
        """;

    private const string InterviewNotes =
        """
        Interview notes (researcher). Participant engaged and open. Mentioned quarterly reviews and a named manager.
        Follow up: none.
        """;

    /// <summary>The focus group transcript (stored as a .docx, one paragraph per turn).</summary>
    public const string FocusGroupTranscript =
        """
        Moderator: Welcome, everyone. Let's start with introductions.
        Sam Patel: Hi, I'm Sam, I work in procurement.
        Jordan Lee: I'm Jordan. I manage a team of twelve.
        Casey Evans: Casey here, I'm in HR. My number is 01632 960004 if the team needs it.
        Moderator: What helps you manage people well?
        Jordan Lee: Clear goals. Sam's team does this brilliantly.
        Sam Patel: Thanks, Jordan. We borrowed it from the Cardiff office.
        Casey Evans: Training matters more than anything.
        """;

    private const string FocusGroupNotes =
        """
        # Focus group notes

        - Three participants, lively discussion.
        - Themes: goal setting, training, cross-office learning.
        """;
}
