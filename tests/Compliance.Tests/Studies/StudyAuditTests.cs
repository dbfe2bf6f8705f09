using System.Net;
using System.Text;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Studies;

/// <summary>Every write route of the studies feature leaves an audit entry in the study's chain, with ids only.</summary>
public sealed class StudyAuditTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_study_write_is_audited_in_order_without_personal_data()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"quinn.{Guid.NewGuid():N}@example.org";
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, "Quinn Auditable");
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, "interview", "2024-07-15", participant);
        using (var upload = await env.Http.SendAsync(StudyApi.Upload(studyId, session, "notes", Encoding.UTF8.GetBytes("Quinn Auditable said hello."), "text/plain"), Ct))
        {
            upload.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        using (var publication = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-11-20"}""", Role.Dpo), Ct))
        {
            publication.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var log = new AuditLog(env.Tables, TimeProvider.System);
        var entries = await log.QueryAsync(requestId: null, studyId, Ct);

        entries.Select(e => e.Action).ShouldBe(
        [
            AuditActions.StudyRegistered, AuditActions.ParticipantRegistered, AuditActions.SessionRegistered,
            AuditActions.ArtifactUploaded, AuditActions.PublicationRecorded,
        ]);
        entries.Select(e => e.Sequence).ShouldBe([1L, 2L, 3L, 4L, 5L]);
        entries[1].Details["participantId"].ShouldBe(participant);
        entries[2].Details["sessionId"].ShouldBe(session);
        entries[3].Details["size"].ShouldBe("27");
        entries.ShouldAllBe(e => e.Actor == "staff-1");
        var text = JsonSerializer.Serialize(entries);
        text.ShouldNotContain("Quinn", Case.Insensitive);
        text.ShouldNotContain(email, Case.Insensitive);

        var verification = await log.VerifyAsync(Ct);
        verification.Problems.ShouldNotContain(p => p.Chain == AuditLog.ChainFor(studyId));
    }
}
