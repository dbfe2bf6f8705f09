using System.Globalization;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Studies;
using Compliance.Suppliers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Suppliers;

/// <summary>
/// Daily (<c>%SupplierCheckSchedule%</c>): warns the DPO a policy's <c>suppliers.warnBefore</c> ahead of a supplier's
/// contract lapsing, and suspends the supplier the day it lapses, so its transcribers are refused everywhere. Each email is
/// written once (its name carries the lapse date); suspension is audited once.
/// </summary>
public sealed class SupplierContractCheck(
    SupplierStore suppliers,
    SupplierContracts contracts,
    StudyStore studies,
    StudyPolicies policies,
    Mailer mailer,
    StudyEmails emails,
    AuditLog audit,
    TimeProvider time,
    ILogger<SupplierContractCheck> logger)
{
    /// <summary>The setting that holds the check's NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "SupplierCheckSchedule";

    [Function(nameof(CheckSupplierContracts))]
    public async Task CheckSupplierContracts([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var (warned, suspended) = await CheckAsync(cancellationToken);
        logger.LogInformation("Supplier contracts: {Warned} warnings written, {Suspended} suppliers suspended", warned, suspended);
    }

    /// <summary>Warns and suspends as due today; returns how many warnings it wrote and suppliers it suspended.</summary>
    public async Task<(int Warned, int Suspended)> CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = UkTime.DateOf(now);
        var supplierPolicies = await contracts.PoliciesAsync(cancellationToken);
        var dpoPolicy = await FirstPolicyAsync(cancellationToken);
        var (warned, suspended) = (0, 0);
        foreach (var supplier in await suppliers.ListAsync(cancellationToken))
        {
            var standing = SupplierContracts.Evaluate(supplier, supplierPolicies, today);
            if (standing.LapsesOn is not { } lapsesOn || dpoPolicy is null)
            {
                continue;
            }

            var values = new Dictionary<string, string>
            {
                ["supplierName"] = supplier.Name,
                ["signedOn"] = RequestEmails.FormatDate(supplier.ContractSignedOn!.Value),
                ["lapsesOn"] = RequestEmails.FormatDate(lapsesOn),
            };
            if (standing.Refusal == SupplierContracts.Lapsed)
            {
                if (await suppliers.SuspendAsync(supplier.SupplierId, now, cancellationToken))
                {
                    suspended++;
                }

                await WriteAsync(supplier.SupplierId, SupplierEmailKind.Suspended, $"suspended-{Date(lapsesOn)}", AuditActions.SupplierSuspended, dpoPolicy, values, lapsesOn, now, cancellationToken);
            }
            else if (standing.WarnFrom is { } warnFrom && warnFrom <= today)
            {
                warned += await WriteAsync(supplier.SupplierId, SupplierEmailKind.ContractWarning, $"contract-warning-{Date(lapsesOn)}", AuditActions.SupplierContractWarning, dpoPolicy, values, lapsesOn, now, cancellationToken) ? 1 : 0;
            }
        }

        return (warned, suspended);
    }

    private async Task<bool> WriteAsync(string supplierId, string kind, string key, string action, Compliance.Policies.StudyPolicy policy, Dictionary<string, string> values, DateOnly lapsesOn, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await mailer.IsWrittenForSupplierAsync(supplierId, key, cancellationToken))
        {
            return false;
        }

        var wrote = await mailer.WriteForSupplierAsync(supplierId, null, kind, key, emails.BuildForSupplier(supplierId, policy, kind, key, values, now), cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(AuditActors.System, action)
            {
                Details = new Dictionary<string, string> { ["supplierId"] = supplierId, ["lapsesOn"] = Date(lapsesOn), ["message"] = key },
                IdempotencyKey = $"supplier:{supplierId}:{key}",
            },
            cancellationToken);
        return wrote;
    }

    /// <summary>The DPO's contact details come from a study's policy; every study of the processor names the same DPO.</summary>
    private async Task<Compliance.Policies.StudyPolicy?> FirstPolicyAsync(CancellationToken cancellationToken)
    {
        foreach (var study in await studies.ListStudiesAsync(cancellationToken))
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is { } found)
            {
                return found.Policy;
            }
        }

        return null;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
