using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs.Models;
using Compliance.Access;
using Compliance.Anonymisation;
using Compliance.SelfHost.Demo;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Access;

/// <summary>
/// Access packages built on Azurite from registered sessions and uploaded transcripts: the requester's own contributions,
/// anonymised, with their contact details and the study's statement; the redaction log apart; one package per request.
/// </summary>
public sealed class AccessExportBuilderTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateOnly InterviewDate = new(2024, 7, 10);
    private static readonly DateOnly FocusGroupDate = new(2024, 7, 18);

    /// <summary>The demo interview, and Alex naming the processor and a participant of another session, and her number.</summary>
    private const string InterviewTranscript = DemoData.InterviewTranscript + "\n" +
        """
        Interviewer: Did NatCen explain the study?
        Alex Morgan: Yes. My colleague Riley Thompson took part too, ring her on 01632 960005.
        """;

    private static readonly string[] InterviewExpected =
    [
        "Interviewer: Thank you for taking part. Could you describe how performance is managed where you work?",
        "Participant: We have quarterly reviews. My manager, Priya Shah, sets targets with each of us.",
        "Interviewer: How well does that work?",
        "Participant: Mostly well. You can reach me on [EMAIL] if you need anything after this.",
        "Interviewer: Thank you. Anything else you would like to add?",
        "Participant: Only that the office in Newport, [POSTCODE], has changed a lot since 2019.",
        "Interviewer: Did [REDACTED] explain the study?",
        "Participant: Yes. My colleague [REDACTED] took part too, ring her on [PHONE].",
    ];

    /// <summary>The demo focus group, and Sam passing on the others' details and naming a participant of another session.</summary>
    private const string FocusGroupTranscript = DemoData.FocusGroupTranscript + "\n" +
        "Sam Patel: You can email Jordan on jordan.lee@example.com or call Casey on 01632 960004; we met at NatCen in SW1A 1AA, with Alex Morgan.";

    private static readonly string[] TranscriptPostcodes = ["NP10 8XG", "SW1A 1AA"];

    [Fact]
    public async Task An_interview_in_plain_text_gives_the_questions_and_the_participant_s_answers_anonymised()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Alex);
        await study.UploadAsync(interview, ArtifactKind.Recording, "audio/wav", ".wav", [1, 2, 3]);
        await study.UploadTranscriptAsync(interview, InterviewTranscript);
        var requestId = AccessTestStudy.NewRequestId();

        var export = await study.Builder().BuildAsync(study.StudyId, requestId, study.Alex, Ct);

        export.Container.ShouldBe(StorageLayout.Containers.Exports);
        export.BlobName.ShouldBe($"{study.StudyId}/{requestId}/access-package.zip");
        export.RedactionLogBlobName.ShouldBe($"{study.StudyId}/{requestId}/redaction-log.json");
        export.SessionIds.ShouldBe([interview]);
        export.SessionsToReview.ShouldBeEmpty();
        var blob = (await env.Blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName).DownloadContentAsync(Ct)).Value;
        export.Size.ShouldBe(blob.Content.ToArray().LongLength);
        export.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(blob.Content.ToArray())));
        blob.Details.ContentType.ShouldBe("application/zip");

        var files = await study.ReadPackageAsync(export);
        files.Keys.ShouldBe(["README.txt", "your-contact-details.txt", "transcripts/2024-07-10-interview.txt"]);
        Encoding.UTF8.GetString(files["transcripts/2024-07-10-interview.txt"]).ShouldBe(string.Join('\n', InterviewExpected) + "\n");

        var details = Encoding.UTF8.GetString(files["your-contact-details.txt"]);
        details.ShouldContain("Alex Morgan");
        details.ShouldContain("alex.morgan@example.org");
        details.ShouldContain("01632 960001");
        details.ShouldContain("PSMPS-QUAL-2024");
        details.ShouldContain("Do not contact:  no");
        details.ShouldContain(study.Alex);

        var readMe = Encoding.UTF8.GetString(files["README.txt"]);
        readMe.ShouldContain(requestId);
        readMe.ShouldStartWith("Your data from the study \"Public Sector Management Practices qualitative follow-up\"", customMessage: "the study's name is the policy's, not the title it was registered under");
        readMe.ShouldContain("Why we hold your data\n---------------------\nONS contacted you when you took part in the Public Sector Management Practices Survey (PSMPS)");
        readMe.ShouldContain("To contact us, the NatCen research team, email MPATI@natcen.ac.uk.");
        readMe.ShouldContain("prepared on 1 August 2024");
        readMe.ShouldContain("Interview on 10 July 2024");
        readMe.ShouldContain("Your transcript: transcripts/2024-07-10-interview.txt");
        readMe.ShouldContain("The interviewer's questions are included");
        readMe.ShouldContain("We hold for this session: a recording, a transcript.");
        readMe.ShouldContain("Office for National Statistics (ONS) is the data controller");
        readMe.ShouldContain("National Centre for Social Research (NatCen) is the data processor");
        readMe.ShouldContain("MPATI@natcen.ac.uk");
        readMe.ShouldContain("3 months after the study's report is published");
        readMe.ShouldContain("within 3 months of the end of data collection on 16 August 2024");
        readMe.ShouldContain("before 2 September 2024");
        readMe.ShouldContain("dpo@natcen.ac.uk");
        readMe.ShouldContain("Information Commissioner's Office");
        readMe.ShouldContain("0303 123 1113");
        readMe.ShouldContain("\"The Office for National Statistics (ONS) - Privacy notice\", version PSMPS-QUAL-2024");

        ShouldHoldNothingOf(files, AccessTestStudy.People.Where(p => p.Name != "Alex Morgan"));
        ShouldHoldNoTranscriptDetail(files);
    }

    [Fact]
    public async Task An_interview_in_Word_gives_a_Word_transcript()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Alex);
        await study.UploadTranscriptAsync(interview, InterviewTranscript, docx: true);

        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Alex, Ct);

        var files = await study.ReadPackageAsync(export);
        files.Keys.ShouldContain("transcripts/2024-07-10-interview.docx");
        Anonymisation.TranscriptTestData.DocxParagraphs(files["transcripts/2024-07-10-interview.docx"]).ShouldBe(InterviewExpected);
        ShouldHoldNothingOf(files, AccessTestStudy.People.Where(p => p.Name != "Alex Morgan"));
        ShouldHoldNoTranscriptDetail(files);
    }

    [Fact]
    public async Task A_focus_group_gives_the_requester_their_own_turns_only()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan, study.Casey);
        await study.UploadTranscriptAsync(group, FocusGroupTranscript, docx: true);

        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Sam, Ct);

        export.SessionIds.ShouldBe([group]);
        export.SessionsToReview.ShouldBeEmpty();
        var files = await study.ReadPackageAsync(export);
        Anonymisation.TranscriptTestData.DocxParagraphs(files["transcripts/2024-07-18-focus-group.docx"]).ShouldBe(
        [
            "Participant: Hi, I'm [PARTICIPANT], I work in procurement.",
            "Participant: Thanks, [OTHER PARTICIPANT]. We borrowed it from the Cardiff office.",
            "Participant: You can email [OTHER PARTICIPANT] on [EMAIL] or call [OTHER PARTICIPANT] on [PHONE]; we met at [REDACTED] in [POSTCODE], with [REDACTED].",
        ]);
        Encoding.UTF8.GetString(files["README.txt"]).ShouldContain("the transcript holds only what you said");
        ShouldHoldNothingOf(files, AccessTestStudy.People.Where(p => p.Name != "Sam Patel"));
        ShouldHoldNoTranscriptDetail(files);
    }

    [Theory]
    [InlineData("Jordan Lee")]
    [InlineData("Casey Evans")]
    public async Task Every_member_of_a_focus_group_gets_nothing_of_the_others(string name)
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan, study.Casey);
        await study.UploadTranscriptAsync(group, FocusGroupTranscript, docx: true);
        var own = name == "Jordan Lee" ? study.Jordan : study.Casey;

        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), own, Ct);

        var files = await study.ReadPackageAsync(export);
        var turns = Anonymisation.TranscriptTestData.DocxParagraphs(files["transcripts/2024-07-18-focus-group.docx"]);
        turns.Count.ShouldBe(2);
        turns.ShouldAllBe(t => t.StartsWith("Participant: ", StringComparison.Ordinal));
        ShouldHoldNothingOf(files, AccessTestStudy.People.Where(p => p.Name != name));
        ShouldHoldNoTranscriptDetail(files);
    }

    [Theory]
    [InlineData("2024-07-18", "2024-07-27T23:00:00Z")] // British Summer Time: UK midnight is 23:00 UTC the day before
    [InlineData("2024-12-20", "2024-12-30T00:00:00Z")] // Greenwich Mean Time
    public async Task Readiness_names_the_session_without_a_transcript_and_when_the_export_may_be_built(string latest, string earliest)
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Sam);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, DateOnly.Parse(latest, System.Globalization.CultureInfo.InvariantCulture), study.Sam, study.Jordan);
        await study.UploadTranscriptAsync(interview, "Interviewer: Hello.\nSam Patel: Hello.");
        await study.UploadAsync(group, ArtifactKind.Recording, "audio/wav", ".wav", [1, 2, 3]);

        var readiness = await study.Builder().CheckTranscriptsAsync(study.StudyId, study.Sam, Ct);

        readiness.SessionsWithTranscript.ShouldBe([interview]);
        readiness.SessionsWithoutTranscript.ShouldBe([group]);
        readiness.AllTranscribed.ShouldBeFalse();
        var at = DateTimeOffset.Parse(earliest, System.Globalization.CultureInfo.InvariantCulture);
        readiness.EarliestBuildAt.ShouldBe(at);
        readiness.IsDueAt(at.AddSeconds(-1)).ShouldBeFalse();
        readiness.IsDueAt(at).ShouldBeTrue();

        // It goes into orchestration state: ids and a time, nothing else.
        var json = JsonSerializer.Serialize(readiness);
        JsonSerializer.Deserialize<TranscriptReadiness>(json).ShouldBeEquivalentTo(readiness);
        ShouldNotMention(json, AccessTestStudy.People);
    }

    [Fact]
    public async Task A_session_without_a_transcript_is_named_in_the_package_and_left_out_of_its_sessions()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Sam);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan);
        await study.UploadTranscriptAsync(interview, "Interviewer: Hello.\nSam Patel: Hello.");

        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Sam, Ct);

        export.SessionIds.ShouldBe([interview]);
        export.SessionIds.ShouldNotContain(group);
        var files = await study.ReadPackageAsync(export);
        files.Keys.Where(k => k.StartsWith("transcripts/", StringComparison.Ordinal)).ShouldBe(["transcripts/2024-07-10-interview.txt"]);
        Encoding.UTF8.GetString(files["README.txt"]).ShouldContain("- Focus group on 18 July 2024.\n  The transcript of this session is not ready yet.");
    }

    [Fact]
    public async Task A_participant_without_sessions_gets_their_contact_details_and_the_statement()
    {
        var study = await AccessTestStudy.CreateAsync(env);

        var readiness = await study.Builder().CheckTranscriptsAsync(study.StudyId, study.Casey, Ct);
        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Casey, Ct);

        readiness.EarliestBuildAt.ShouldBeNull();
        readiness.SessionsWithTranscript.ShouldBeEmpty();
        readiness.SessionsWithoutTranscript.ShouldBeEmpty();
        readiness.IsDueAt(AccessTestStudy.Now).ShouldBeTrue();
        export.SessionIds.ShouldBeEmpty();
        var files = await study.ReadPackageAsync(export);
        files.Keys.ShouldBe(["README.txt", "your-contact-details.txt"]);
        Encoding.UTF8.GetString(files["README.txt"]).ShouldContain("We hold no record of an interview or focus group with you.");
        Encoding.UTF8.GetString(files["your-contact-details.txt"]).ShouldContain("casey.evans@example.net");
    }

    [Fact]
    public async Task The_redaction_log_is_stored_apart_matches_the_package_and_holds_no_removed_text()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Sam);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan, study.Casey);
        await study.UploadTranscriptAsync(interview, "Interviewer: Hello, Sam.\nSam Patel: Hello. I'm at sam.patel@example.org, or on 01632 960002.");
        var transcript = await study.UploadTranscriptAsync(group, FocusGroupTranscript, docx: true);
        var requestId = AccessTestStudy.NewRequestId();

        var export = await study.Builder().BuildAsync(study.StudyId, requestId, study.Sam, Ct);

        // Apart: the log is in its own container, and the package's folder holds the package only.
        (await Names(StorageLayout.Containers.Exports, $"{study.StudyId}/{requestId}/")).ShouldBe([export.BlobName]);
        (await Names(StorageLayout.Containers.RedactionLogs, $"{study.StudyId}/{requestId}/")).ShouldBe([export.RedactionLogBlobName]);
        var files = await study.ReadPackageAsync(export);
        files.Keys.ShouldNotContain(k => k.Contains("log", StringComparison.OrdinalIgnoreCase));

        var json = (await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.RedactionLogs).GetBlobClient(export.RedactionLogBlobName).DownloadContentAsync(Ct)).Value.Content.ToString();
        ShouldNotMention(json, AccessTestStudy.People);
        foreach (var removed in TranscriptPostcodes.Concat(["NatCen", "Sam", "Patel"]))
        {
            json.ShouldNotContain(removed, Case.Insensitive);
        }

        var log = JsonSerializer.Deserialize<AccessRedactionLog>(json, JsonSerializerOptions.Web)!;
        (log.StudyId, log.RequestId, log.ParticipantId, log.PreparedAt).ShouldBe((study.StudyId, requestId, study.Sam, AccessTestStudy.Now));
        log.Transcripts.Select(t => t.SessionId).ShouldBe([interview, group]);
        var groupLog = log.Transcripts[1];
        (groupLog.ArtifactId, groupLog.SourceSha256, groupLog.SessionKind, groupLog.PackageEntry).ShouldBe((transcript.ArtifactId, transcript.Sha256, SessionKind.FocusGroup, "transcripts/2024-07-18-focus-group.docx"));
        (groupLog.TurnsKept, groupLog.TurnsLeftOut, groupLog.UnattributedTurns, groupLog.TurnsRecognised, groupLog.NeedsReview).ShouldBe((3, 6, 0, true, false));
        groupLog.Counts[RedactionCategory.Email].ShouldBe(1);
        groupLog.Counts[RedactionCategory.Phone].ShouldBe(1);
        groupLog.Counts[RedactionCategory.Postcode].ShouldBe(1);
        groupLog.Counts[RedactionCategory.RedactionList].ShouldBe(2);
        groupLog.Counts[RedactionCategory.OtherParticipant].ShouldBe(3);

        // Every entry points at its replacement in the package's text, so the log can be checked against what was sent.
        foreach (var entry in log.Transcripts)
        {
            var text = AccessTestStudy.TextOf(entry.PackageEntry!, files[entry.PackageEntry!]);
            entry.Entries.ShouldNotBeEmpty();
            entry.Entries.ShouldAllBe(e => text.Substring(e.Offset, e.Replacement.Length) == e.Replacement);
        }
    }

    [Fact]
    public async Task Building_again_for_the_same_request_returns_the_same_package()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan, study.Casey);
        await study.UploadTranscriptAsync(group, FocusGroupTranscript + "\nSomeone Else: a turn nobody can be named for.", docx: true);
        var requestId = AccessTestStudy.NewRequestId();
        var first = await study.Builder().BuildAsync(study.StudyId, requestId, study.Sam, Ct);
        var package = env.Blobs.GetBlobContainerClient(first.Container).GetBlobClient(first.BlobName);
        var etag = (await package.GetPropertiesAsync(cancellationToken: Ct)).Value.ETag;

        // A retry later, by another instance, after more material arrived: the request's package stays as it was.
        study.Time.Advance(TimeSpan.FromDays(1));
        await study.UploadTranscriptAsync(group, "Sam Patel: a later transcript.");
        var again = await study.Builder().BuildAsync(study.StudyId, requestId, study.Sam, Ct);

        first.SessionsToReview.ShouldBe([group]);
        again.ShouldBeEquivalentTo(first);
        (await package.GetPropertiesAsync(cancellationToken: Ct)).Value.ETag.ShouldBe(etag);
        (await Names(StorageLayout.Containers.Exports, $"{study.StudyId}/{requestId}/")).ShouldBe([first.BlobName]);
    }

    [Fact]
    public async Task A_build_that_stopped_after_its_log_finishes_when_run_again()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var interview = await study.AddSessionAsync(SessionKind.Interview, InterviewDate, study.Alex);
        await study.UploadTranscriptAsync(interview, InterviewTranscript);
        var requestId = AccessTestStudy.NewRequestId();
        var first = await study.Builder().BuildAsync(study.StudyId, requestId, study.Alex, Ct);

        // As if the host died between writing the log and the package.
        await env.Blobs.GetBlobContainerClient(first.Container).GetBlobClient(first.BlobName).DeleteAsync(cancellationToken: Ct);
        var again = await study.Builder().BuildAsync(study.StudyId, requestId, study.Alex, Ct);

        again.ShouldBeEquivalentTo(first);
        (await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.RedactionLogs).GetBlobClient(again.RedactionLogBlobName).ExistsAsync(Ct)).Value.ShouldBeTrue();
    }

    [Fact]
    public async Task Blob_names_and_the_returned_record_hold_ids_only()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var group = await study.AddSessionAsync(SessionKind.FocusGroup, FocusGroupDate, study.Sam, study.Jordan, study.Casey);
        await study.UploadTranscriptAsync(group, FocusGroupTranscript, docx: true);

        var export = await study.Builder().BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), study.Sam, Ct);

        var json = JsonSerializer.Serialize(export);
        ShouldNotMention(json, AccessTestStudy.People);
        JsonSerializer.Deserialize<AccessExport>(json).ShouldBeEquivalentTo(export);
        export.BlobName.ShouldMatch(@"^T[0-9a-f]{12}/DSR-[0-9]{8}-[0-9A-Z]{8}/access-package\.zip$");
        export.RedactionLogBlobName.ShouldMatch(@"^T[0-9a-f]{12}/DSR-[0-9]{8}-[0-9A-Z]{8}/redaction-log\.json$");
        var properties = (await env.Blobs.GetBlobContainerClient(export.Container).GetBlobClient(export.BlobName).GetPropertiesAsync(cancellationToken: Ct)).Value;
        ShouldNotMention(string.Join("|", properties.Metadata.Select(m => $"{m.Key}={m.Value}")), AccessTestStudy.People);
    }

    [Fact]
    public async Task Ids_that_are_not_ids_and_unknown_participants_are_refused()
    {
        var study = await AccessTestStudy.CreateAsync(env);
        var builder = study.Builder();

        await Should.ThrowAsync<ArgumentException>(() => builder.BuildAsync(study.StudyId, "alex.morgan@example.org", study.Alex, Ct));
        await Should.ThrowAsync<ArgumentException>(() => builder.BuildAsync("../x", AccessTestStudy.NewRequestId(), study.Alex, Ct));
        await Should.ThrowAsync<InvalidOperationException>(() => builder.BuildAsync(study.StudyId, AccessTestStudy.NewRequestId(), "P-00000000", Ct));
    }

    private async Task<List<string>> Names(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var item in env.Blobs.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, Ct))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>No file of the package names, addresses or numbers any of these people, in any case or spacing.</summary>
    private static void ShouldHoldNothingOf(IReadOnlyDictionary<string, byte[]> files, IEnumerable<(string Name, string Email, string Phone)> people)
    {
        foreach (var (name, content) in files)
        {
            ShouldNotMention(AccessTestStudy.TextOf(name, content), people, name);
        }
    }

    /// <summary>The transcripts hold no postcode of the raw transcripts and no entry of the policy's redaction list.</summary>
    private static void ShouldHoldNoTranscriptDetail(IReadOnlyDictionary<string, byte[]> files)
    {
        foreach (var (name, content) in files.Where(f => f.Key.StartsWith("transcripts/", StringComparison.Ordinal)))
        {
            var text = AccessTestStudy.TextOf(name, content);
            foreach (var removed in TranscriptPostcodes.Concat(Anonymisation.TranscriptTestData.RedactionList))
            {
                Regex.IsMatch(text, $@"\b{Regex.Escape(removed)}\b", RegexOptions.IgnoreCase).ShouldBeFalse($"{name} holds '{removed}'");
            }
        }

        foreach (var (name, content) in files)
        {
            var text = AccessTestStudy.TextOf(name, content);
            foreach (var postcode in TranscriptPostcodes)
            {
                text.ShouldNotContain(postcode, Case.Insensitive, name);
            }
        }
    }

    private static void ShouldNotMention(string text, IEnumerable<(string Name, string Email, string Phone)> people, string? where = null)
    {
        var digits = Regex.Replace(text, "[^0-9]", string.Empty);
        foreach (var (name, email, phone) in people)
        {
            foreach (var word in name.Split(' '))
            {
                Regex.IsMatch(text, $@"\b{word}\b", RegexOptions.IgnoreCase).ShouldBeFalse($"{where} names {word}");
            }

            text.ShouldNotContain(email, Case.Insensitive, where);
            text.ShouldNotContain(email.Split('@')[0], Case.Insensitive, where);
            digits.Contains(phone.Replace(" ", string.Empty, StringComparison.Ordinal)[1..], StringComparison.Ordinal).ShouldBeFalse($"{where} holds {phone}");
        }
    }
}
