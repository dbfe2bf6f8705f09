using System.IO.Compression;
using System.Text;
using Compliance.Access;
using Compliance.Anonymisation;
using Compliance.SelfHost.Demo;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tests.Anonymisation;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Access;

/// <summary>
/// A study of its own under the MPATI policy, with the demo's four fictional participants and one more (Riley) who takes part
/// in none of the sessions the tests add, written straight to the stores on the test run's Azurite.
/// </summary>
internal sealed class AccessTestStudy
{
    /// <summary>When the tests build exports: well after the demo sessions, in British Summer Time.</summary>
    public static readonly DateTimeOffset Now = new(2024, 8, 1, 9, 30, 0, TimeSpan.Zero);

    public static (string Name, string Email, string Phone) Riley { get; } = ("Riley Thompson", "riley.thompson@example.org", "01632 960005");

    private readonly TestEnvironment env;
    private readonly Dictionary<string, string> ids = new(StringComparer.Ordinal);

    private AccessTestStudy(TestEnvironment env, string studyId)
    {
        this.env = env;
        StudyId = studyId;
        Studies = new StudyStore(env.Tables);
        Artifacts = new ArtifactStore(env.Tables, env.Blobs);
        Policies = new StudyPolicies(Studies);
    }

    public string StudyId { get; }

    public StudyStore Studies { get; }

    public ArtifactStore Artifacts { get; }

    public StudyPolicies Policies { get; }

    public FakeTimeProvider Time { get; } = new(Now);

    public string Alex => ids["Alex Morgan"];
    public string Sam => ids["Sam Patel"];
    public string Jordan => ids["Jordan Lee"];
    public string Casey => ids["Casey Evans"];

    /// <summary>Every person's name, email and phone (the demo's four and Riley).</summary>
    public static IReadOnlyList<(string Name, string Email, string Phone)> People { get; } = [.. DemoData.People, Riley];

    public static async Task<AccessTestStudy> CreateAsync(TestEnvironment env, DateOnly? publishedOn = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var study = new AccessTestStudy(env, StudyApi.NewStudyId());
        var text = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "policies", "mpati.yaml"), ct);
        var policy = PolicyReader.Read(text, "mpati");
        await study.Studies.UpsertStudyAsync(new Study
        {
            StudyId = study.StudyId,
            Title = "A test study",
            PolicySource = "mpati",
            PolicyText = text,
            PolicyVersion = policy.PolicyVersion,
            NoticeVersion = policy.Notice.Version,
            EndOfDataCollection = new DateOnly(2024, 8, 16),
            PublishedOn = publishedOn,
            RegisteredAt = Now,
            UpdatedAt = Now,
        }, ct);

        foreach (var (name, email, phone) in People)
        {
            var id = PseudonymousId.New(PseudonymousId.Participant);
            (await study.Studies.TryAddParticipantAsync(new Participant
            {
                StudyId = study.StudyId,
                ParticipantId = id,
                Name = name,
                Email = email,
                Phone = phone,
                NoticeVersion = policy.Notice.Version,
                RegisteredAt = new DateTimeOffset(2024, 7, 1, 8, 0, 0, TimeSpan.Zero),
            }, ct)).ShouldBeTrue();
            study.ids[name] = id;
        }

        return study;
    }

    public async Task<string> AddSessionAsync(string kind, DateOnly date, params string[] participantIds)
    {
        var session = new Session
        {
            StudyId = StudyId,
            SessionId = PseudonymousId.New(PseudonymousId.Session),
            Kind = kind,
            Date = date,
            ParticipantIds = participantIds,
            RegisteredAt = Now,
        };
        await Studies.AddSessionAsync(session, TestContext.Current.CancellationToken);
        return session.SessionId;
    }

    /// <summary>Uploads a transcript of <paramref name="text"/> to the session, as plain text or as a .docx of one paragraph per line.</summary>
    public Task<Artifact> UploadTranscriptAsync(string sessionId, string text, bool docx = false) => docx
        ? UploadAsync(sessionId, ArtifactKind.Transcript, TranscriptFormats.DocxContentType, ".docx", TranscriptTestData.Docx(text).ToArray())
        : UploadAsync(sessionId, ArtifactKind.Transcript, "text/plain", ".txt", Encoding.UTF8.GetBytes(text));

    public async Task<Artifact> UploadAsync(string sessionId, string kind, string contentType, string extension, byte[] content)
    {
        var ct = TestContext.Current.CancellationToken;
        var session = await Studies.FindSessionAsync(StudyId, sessionId, ct);
        using var stream = new MemoryStream(content);
        return await Artifacts.UploadAsync(session!, kind, contentType, extension, stream, long.MaxValue, "test", Now, ct);
    }

    public AccessExportBuilder Builder() =>
        new(Studies, Artifacts, Policies, env.Blobs, Time, NullLogger<AccessExportBuilder>.Instance);

    public static string NewRequestId() => RequestId.New(Now);

    /// <summary>The package's files, by name.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> ReadPackageAsync(AccessExport export)
    {
        var content = (await env.Blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName).DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content;
        using var zip = new ZipArchive(content.ToStream(), ZipArchiveMode.Read);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            files[entry.FullName] = copy.ToArray();
        }

        return files;
    }

    /// <summary>The text a person reads in a package file: a .docx's paragraphs, a text file as it is.</summary>
    public static string TextOf(string name, byte[] content) => name.EndsWith(".docx", StringComparison.Ordinal)
        ? string.Join('\n', TranscriptTestData.DocxParagraphs(content))
        : Encoding.UTF8.GetString(content);
}
