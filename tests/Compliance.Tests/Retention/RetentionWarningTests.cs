using System.Globalization;
using System.Net;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Tests.Retention;

/// <summary>
/// The daily retention warnings, run on a clock the test sets: the researchers and the DPO are warned ahead of a deletion,
/// the DPO is alerted weekly while a publication date is missing past the promise, and reminded of holds due for review;
/// each email once per period.
/// </summary>
public sealed class RetentionWarningTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Researchers_and_the_DPO_are_told_what_will_be_deleted_and_when_once()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", participant);
        await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        var deletionDate = today.AddDays(10);
        await PublishAsync(studyId, deletionDate.AddMonths(-3));
        var warnings = WarningsAt(DateTimeOffset.UtcNow);

        (await warnings.SendDueWarningsAsync(studyId, Ct)).ShouldBe(1);
        (await warnings.SendDueWarningsAsync(studyId, Ct)).ShouldBe(0, "once per deletion date");

        var email = await new Outbox(env.Blobs).ReadAsync(StudyEmails.BlobNameFor(studyId, $"retention-warning-{deletionDate:yyyy-MM-dd}"), Ct);
        email.To.Mailboxes.Select(m => m.Address).ShouldBe(["dpo@natcen.ac.uk", "MPATI@natcen.ac.uk"], ignoreOrder: true);
        email.TextBody!.ShouldContain(RequestEmails.FormatDate(deletionDate));
        email.TextBody!.ShouldContain("recordings: 1 files");
        email.TextBody!.ShouldContain("contact details of 1 participants");
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct)).Count(e => e.Action == AuditActions.StudyEmailSent).ShouldBe(1);
    }

    [Fact]
    public async Task No_warning_before_the_warning_period_or_after_the_deletion_date()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        await PublishAsync(studyId, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-10));

        (await WarningsAt(DateTimeOffset.UtcNow).SendDueWarningsAsync(studyId, Ct)).ShouldBe(0, "the deletion date is months away");
        (await WarningsAt(DateTimeOffset.UtcNow.AddMonths(4)).SendDueWarningsAsync(studyId, Ct)).ShouldBe(0, "past the date it is the sweep's turn");
    }

    [Fact]
    public async Task Without_a_publication_date_past_the_promise_the_DPO_is_alerted_every_week_until_it_is_recorded()
    {
        // Data collection ended 2026-01-15; publication was promised within 3 months, by 2026-04-15.
        var studyId = await StudyApi.RegisterStudyAsync(env.Http, endOfDataCollection: "2026-01-15");
        var promisedBy = new DateTimeOffset(2026, 4, 15, 12, 0, 0, TimeSpan.Zero);

        (await WarningsAt(promisedBy).SendDueWarningsAsync(studyId, Ct)).ShouldBe(0, "not yet past the promise");
        (await WarningsAt(promisedBy.AddDays(1)).SendDueWarningsAsync(studyId, Ct)).ShouldBe(1);
        (await WarningsAt(promisedBy.AddDays(3)).SendDueWarningsAsync(studyId, Ct)).ShouldBe(0, "once a week");
        (await WarningsAt(promisedBy.AddDays(8)).SendDueWarningsAsync(studyId, Ct)).ShouldBe(1);

        var outbox = new Outbox(env.Blobs);
        (await outbox.ListAsync($"studies/{studyId}/", Ct)).ShouldBe([StudyEmails.BlobNameFor(studyId, "publication-promise-alert-1"), StudyEmails.BlobNameFor(studyId, "publication-promise-alert-2")], ignoreOrder: true);
        var alert = await outbox.ReadAsync(StudyEmails.BlobNameFor(studyId, "publication-promise-alert-1"), Ct);
        alert.To.Mailboxes.Single().Address.ShouldBe("dpo@natcen.ac.uk");
        alert.TextBody!.ShouldContain("15 April 2026");
    }

    [Fact]
    public async Task The_DPO_is_reminded_of_a_hold_due_for_review()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await PublishAsync(studyId, today.AddDays(-10));
        using var placed = await env.Http.SendAsync(
            Staff.PostJson("/api/holds", JsonSerializer.Serialize(new { studyId, kind = "legal", scope = "study", reason = "Litigation", reviewOn = today.AddDays(5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }), Role.Dpo),
            Ct);
        placed.StatusCode.ShouldBe(HttpStatusCode.Created);
        var holdId = JsonDocument.Parse(await placed.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("holdId").GetString()!;

        (await WarningsAt(DateTimeOffset.UtcNow).SendDueWarningsAsync(studyId, Ct)).ShouldBe(0);
        (await WarningsAt(DateTimeOffset.UtcNow.AddDays(6)).SendDueWarningsAsync(studyId, Ct)).ShouldBe(1);

        var reminder = await new Outbox(env.Blobs).ReadAsync(StudyEmails.BlobNameFor(studyId, $"hold-review-{holdId}-{today.AddDays(5):yyyy-MM-dd}"), Ct);
        reminder.TextBody!.ShouldContain(holdId);
        reminder.TextBody!.ShouldNotContain("Litigation", customMessage: "the hold's reason stays in the Holds table");
    }

    private RetentionWarnings WarningsAt(DateTimeOffset now) =>
        ActivatorUtilities.CreateInstance<RetentionWarnings>(env.Host.Services, (TimeProvider)new FakeTimeProvider(now));

    private async Task PublishAsync(string studyId, DateOnly publishedOn)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", JsonSerializer.Serialize(new { publishedOn = publishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }), Role.Researcher), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }
}
