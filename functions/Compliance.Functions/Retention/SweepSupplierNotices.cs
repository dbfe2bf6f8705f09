using System.Globalization;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Compliance.Functions.Retention;

/// <summary>
/// After a sweep has deleted a study's material, each supplier that transcribed one of its sessions is told to delete its
/// copies of those sessions (session ids only), and the DPO gets a task per supplier to record its confirmation, which the
/// sweep waits for (up to the policy's <c>suppliers.confirmDeletionWithin</c>) before writing the certificate. A session
/// any of whose material a hold kept is left out: its copies must be kept too.
/// </summary>
public sealed class SweepSupplierNotices(
    StudyPolicies policies,
    StudyStore studies,
    SupplierStore suppliers,
    CertificateStore certificates,
    TaskStore tasks,
    Mailer mailer,
    StudyEmails emails,
    AuditLog audit,
    ILogger<SweepSupplierNotices> logger)
{
    /// <summary>The id of the task in which the DPO records <paramref name="supplierId"/>'s confirmation for sweep <paramref name="sweepId"/>.</summary>
    public static string TaskIdFor(string sweepId, string supplierId) => $"{sweepId}.{supplierId}.{TaskKind.SupplierConfirmation}";

    /// <summary>Tells the suppliers and creates the tasks; safe to run again (one email, one task, one audit entry each).</summary>
    [Function(nameof(NotifySweepSuppliers))]
    public async Task<SweepSupplierNotice> NotifySweepSuppliers([ActivityTrigger] SweepStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {input.SweepId} has no inventory.");
        var (_, policy) = await policies.GetAsync(input.StudyId, cancellationToken);
        var confirmBy = policy.Suppliers.ConfirmBy(input.At);
        bool Holds(IEnumerable<string> names, string sessionId) => names.Any(n => n.StartsWith($"{input.StudyId}/{sessionId}/", StringComparison.Ordinal));
        var bySupplier = (await studies.ListSessionsAsync(input.StudyId, cancellationToken))
            .Where(s => s.SupplierId is not null && Holds(inventory.Items.Select(i => i.BlobName), s.SessionId) && !Holds(inventory.Held.Select(h => h.BlobName), s.SessionId))
            .GroupBy(s => s.SupplierId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

        var told = new List<SweepSupplierTask>();
        foreach (var group in bySupplier)
        {
            var sessionIds = group.Select(s => s.SessionId).Order(StringComparer.Ordinal).ToList();
            var supplier = await suppliers.FindAsync(group.Key, cancellationToken);
            if (supplier?.Email is { } address)
            {
                await SendAsync(input, group.Key, new MailboxAddress(supplier.Name, address), policy, sessionIds, confirmBy, cancellationToken);
            }

            // Without an address on record the notice cannot go by email: the task tells the DPO to send it by hand.
            await audit.AppendAsync(
                RetentionActivities.Event(input.StudyId, AuditActions.SupplierNotified, $"{input.SweepId}:supplier-notice:{group.Key}", ("sweepId", input.SweepId), ("supplierId", group.Key), ("sessions", Compliance.Requests.RequestAuditEvents.Ids(sessionIds)), ("sent", supplier?.Email is null ? "no-address-on-record" : "outbox")),
                cancellationToken);
            var task = await tasks.EnsureAsync(
                new ManualTask
                {
                    TaskId = TaskIdFor(input.SweepId, group.Key),
                    Workflow = WorkflowRef.RetentionSweep(input.StudyId),
                    StudyId = input.StudyId,
                    Kind = TaskKind.SupplierConfirmation,
                    AssigneeRole = TaskKind.AssigneeOf(TaskKind.SupplierConfirmation),
                    CreatedAt = input.At,
                    DueAt = confirmBy,
                    Status = TaskStore.Open,
                },
                cancellationToken);
            await audit.AppendAsync(
                RetentionActivities.Event(input.StudyId, AuditActions.TaskCreated, $"{input.SweepId}:task:{group.Key}", ("sweepId", input.SweepId), ("taskId", task.TaskId), ("kind", task.Kind)),
                cancellationToken);
            told.Add(new SweepSupplierTask(group.Key, task.TaskId));
        }

        logger.LogInformation("Retention sweep {SweepId}: {Suppliers} suppliers told to delete their copies", input.SweepId, told.Count);
        return new SweepSupplierNotice(told, confirmBy);
    }

    private async Task SendAsync(SweepStepInput input, string supplierId, MailboxAddress to, Compliance.Policies.StudyPolicy policy, IReadOnlyList<string> sessionIds, DateTimeOffset confirmBy, CancellationToken cancellationToken)
    {
        var key = $"retention-notice-{input.SweepId}";
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["certificateId"] = input.SweepId,
            ["rule"] = RetentionRule.Describe(policy),
            ["sessionIds"] = string.Join(", ", sessionIds),
            ["confirmBy"] = UkTime.DateOf(confirmBy).ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        };
        var message = emails.BuildToSupplier(supplierId, to, input.StudyId, policy, SupplierEmailKind.RetentionNotice, key, values, input.At);
        await mailer.WriteForSupplierAsync(supplierId, input.StudyId, SupplierEmailKind.RetentionNotice, key, message, cancellationToken);
    }
}
