using Compliance.Audit;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Retention;

/// <summary>
/// After a sweep has deleted a study's material, each supplier that transcribed one of its sessions is told to delete its
/// copies of those sessions (<see cref="SupplierNotifier.NotifyForSweepAsync"/>), and the DPO gets a task per supplier to
/// record its confirmation, which the sweep waits for (up to the policy's <c>suppliers.confirmDeletionWithin</c>) before
/// writing the certificate.
/// </summary>
public sealed class SweepSupplierNotices(
    StudyPolicies policies,
    CertificateStore certificates,
    SupplierNotifier notifier,
    TaskStore tasks,
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
        var told = new List<SweepSupplierTask>();
        foreach (var (supplierId, sessionIds) in await notifier.SweptSessionsAsync(input.StudyId, inventory, cancellationToken))
        {
            await notifier.NotifyForSweepAsync(input.StudyId, input.SweepId, supplierId, sessionIds, policy, confirmBy, input.At, cancellationToken);
            told.Add(new SweepSupplierTask(supplierId, await EnsureTaskAsync(input, supplierId, confirmBy, cancellationToken)));
        }

        logger.LogInformation("Retention sweep {SweepId}: {Suppliers} suppliers told to delete their copies", input.SweepId, told.Count);
        return new SweepSupplierNotice(told, confirmBy);
    }

    private async Task<string> EnsureTaskAsync(SweepStepInput input, string supplierId, DateTimeOffset confirmBy, CancellationToken cancellationToken)
    {
        var task = await tasks.EnsureAsync(
            new ManualTask
            {
                TaskId = TaskIdFor(input.SweepId, supplierId),
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
            RetentionAuditEvents.Sweep(input.StudyId, AuditActions.TaskCreated, $"{input.SweepId}:task:{supplierId}", ("sweepId", input.SweepId), ("taskId", task.TaskId), ("kind", task.Kind)),
            cancellationToken);
        return task.TaskId;
    }
}
