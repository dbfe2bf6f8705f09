using System.Globalization;
using System.Text;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Retention;

/// <summary>
/// Daily warnings about retention (<c>%RetentionWarningSchedule%</c>): the researchers and the DPO are told what will be
/// deleted and when, the policy's <c>warnBefore</c> ahead of a study's deletion date; the DPO is alerted while a study has
/// no publication date past the notice's promise, every <c>promiseAlertRepeat</c>; and reminded of holds due for review.
/// Each email is written to the outbox once per study and period (its name says which), so a timer run twice sends nothing twice.
/// </summary>
public sealed class RetentionWarnings(
    StudyStore studies,
    StudyPolicies policies,
    HoldStore holds,
    RetentionInventoryBuilder inventories,
    Mailer mailer,
    StudyEmails emails,
    AuditLog audit,
    TimeProvider time,
    ILogger<RetentionWarnings> logger)
{
    /// <summary>The setting that holds the warnings' NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "RetentionWarningSchedule";

    [Function(nameof(WarnOfRetention))]
    public async Task WarnOfRetention([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var sent = await SendDueWarningsAsync(null, cancellationToken);
        logger.LogInformation("Retention warnings: {Count} emails written", sent);
    }

    /// <summary>
    /// Writes every warning, alert and reminder due today (of one study, or of all) that has not been written; returns how
    /// many it wrote.
    /// </summary>
    public async Task<int> SendDueWarningsAsync(string? studyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = UkTime.DateOf(now);
        var sent = 0;
        var all = studyId is null ? await studies.ListStudiesAsync(cancellationToken) : [.. (await studies.FindStudyAsync(studyId, cancellationToken)) is { } one ? [one] : Array.Empty<Study>()];
        foreach (var study in all)
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is not { } found)
            {
                continue;
            }

            var policy = found.Policy;
            var retention = policy.Retention;
            if (RetentionRule.DeletionDate(study, policy) is { } deletionDate)
            {
                if (today < deletionDate && retention.WarnBefore.SubtractFrom(deletionDate) <= today)
                {
                    sent += await WarnOfDeletionAsync(study, found.Policy, deletionDate, now, cancellationToken) ? 1 : 0;
                }
            }
            else
            {
                var promisedBy = retention.PublicationPromisedWithin.AddTo(study.EndOfDataCollection);
                if (today > promisedBy)
                {
                    // One alert per repeat period since the promise passed: the period's number names it.
                    var period = 0;
                    while (PeriodStart(promisedBy, retention.PromiseAlertRepeat, period + 1) < today)
                    {
                        period++;
                    }

                    sent += await AlertOfPromiseAsync(study, found.Policy, promisedBy, period, now, cancellationToken) ? 1 : 0;
                }
            }

            foreach (var hold in await holds.ListActiveAsync(study.StudyId, cancellationToken))
            {
                if (hold.ReviewOn <= today)
                {
                    sent += await RemindOfHoldAsync(study.StudyId, found.Policy, hold, now, cancellationToken) ? 1 : 0;
                }
            }
        }

        return sent;
    }

    private static DateOnly PeriodStart(DateOnly from, Compliance.Policies.Period every, int n)
    {
        var start = from;
        for (var i = 0; i < n; i++)
        {
            start = every.AddTo(start);
        }

        return start;
    }

    private async Task<bool> WarnOfDeletionAsync(Study study, Compliance.Policies.StudyPolicy policy, DateOnly deletionDate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"retention-warning-{Date(deletionDate)}";
        if (await mailer.IsWrittenForStudyAsync(study.StudyId, key, cancellationToken))
        {
            return false;
        }

        var inventory = await inventories.BuildAsync(study.StudyId, "warning", now, int.MaxValue, cancellationToken);
        var lines = new StringBuilder();
        foreach (var container in inventory.Items.GroupBy(i => i.Container).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            lines.AppendLine(CultureInfo.InvariantCulture, $"  {container.Key}: {container.Select(i => i.BlobName).Distinct(StringComparer.Ordinal).Count()} files ({container.Count()} items with versions and snapshots, {container.Sum(i => i.Size)} bytes)");
        }

        lines.Append(CultureInfo.InvariantCulture, $"  contact details of {inventory.Participants.Count} participants");
        var held = inventory.Held.Count == 0 && inventory.HeldParticipants.Count == 0
            ? "nothing"
            : $"{inventory.Held.Count} files and the contact details of {inventory.HeldParticipants.Count} participants";
        var message = emails.Build(
            study.StudyId,
            policy,
            StudyEmailKind.RetentionWarning,
            key,
            new Dictionary<string, string> { ["deletionDate"] = RequestEmails.FormatDate(deletionDate), ["rule"] = RetentionRule.Describe(policy), ["inventory"] = lines.ToString(), ["held"] = held },
            toResearchers: true,
            now);
        return await WriteAsync(study.StudyId, key, StudyEmailKind.RetentionWarning, message, ("deletionDate", Date(deletionDate)), cancellationToken);
    }

    private async Task<bool> AlertOfPromiseAsync(Study study, Compliance.Policies.StudyPolicy policy, DateOnly promisedBy, int period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"publication-promise-alert-{period + 1}";
        if (await mailer.IsWrittenForStudyAsync(study.StudyId, key, cancellationToken))
        {
            return false;
        }

        var message = emails.Build(
            study.StudyId,
            policy,
            StudyEmailKind.PublicationPromiseAlert,
            key,
            new Dictionary<string, string>
            {
                ["promisedWithin"] = policy.Retention.PublicationPromisedWithin.ToString(),
                ["endOfDataCollection"] = RequestEmails.FormatDate(study.EndOfDataCollection),
                ["promisedBy"] = RequestEmails.FormatDate(promisedBy),
                ["rule"] = RetentionRule.Describe(policy),
                ["repeatEvery"] = policy.Retention.PromiseAlertRepeat.ToString(),
            },
            toResearchers: false,
            now);
        return await WriteAsync(study.StudyId, key, StudyEmailKind.PublicationPromiseAlert, message, ("promisedBy", Date(promisedBy)), cancellationToken);
    }

    private async Task<bool> RemindOfHoldAsync(string studyId, Compliance.Policies.StudyPolicy policy, Hold hold, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"hold-review-{hold.HoldId}-{Date(hold.ReviewOn)}";
        if (await mailer.IsWrittenForStudyAsync(studyId, key, cancellationToken))
        {
            return false;
        }

        var message = emails.Build(
            studyId,
            policy,
            StudyEmailKind.HoldReviewReminder,
            key,
            new Dictionary<string, string> { ["holdId"] = hold.HoldId, ["holdKind"] = hold.Kind, ["holdScope"] = hold.Scope, ["holdTarget"] = hold.TargetId, ["reviewOn"] = RequestEmails.FormatDate(hold.ReviewOn) },
            toResearchers: false,
            now);
        return await WriteAsync(studyId, key, StudyEmailKind.HoldReviewReminder, message, ("holdId", hold.HoldId), cancellationToken);
    }

    private async Task<bool> WriteAsync(string studyId, string key, string kind, MimeKit.MimeMessage message, (string Key, string Value) detail, CancellationToken cancellationToken)
    {
        var wrote = await mailer.WriteForStudyAsync(studyId, kind, key, message, cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(AuditActors.System, AuditActions.StudyEmailSent)
            {
                StudyId = studyId,
                Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = kind, ["message"] = key, [detail.Key] = detail.Value },
                IdempotencyKey = $"{studyId}:{key}",
            },
            cancellationToken);
        return wrote;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
