using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Suppliers;

/// <summary>Where a supplier's contract stands on a day: when it lapses, when the DPO is warned, and why access is refused (if it is).</summary>
public sealed record ContractStanding(DateOnly? LapsesOn, DateOnly? WarnFrom, string? Refusal)
{
    public bool IsCurrent => Refusal is null;
}

/// <summary>
/// The notice's "signed contracts and agreements … refreshed every 12 months" as a rule: a supplier's access lapses at its
/// contract's signing date plus the policy's <c>suppliers.contractTerm</c>, and the DPO is warned <c>suppliers.warnBefore</c>
/// ahead. A supplier may serve several studies, so the strictest of their policies applies (the earliest lapse, the
/// earliest warning).
/// </summary>
public sealed class SupplierContracts(StudyStore studies, StudyPolicies policies)
{
    /// <summary>Refusal reasons.</summary>
    public const string NotApproved = SupplierStanding.NotApproved;
    public const string NoContract = SupplierStanding.NoContract;
    public const string Lapsed = SupplierStanding.Lapsed;
    public const string Suspended = SupplierStanding.Suspended;

    /// <summary>The supplier policies of every registered study.</summary>
    public async Task<IReadOnlyList<SupplierPolicy>> PoliciesAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<SupplierPolicy>();
        foreach (var study in await studies.ListStudiesAsync(cancellationToken))
        {
            if (await policies.FindAsync(study.StudyId, cancellationToken) is { } p)
            {
                found.Add(p.Policy.Suppliers);
            }
        }

        return found;
    }

    /// <summary>Where <paramref name="supplier"/>'s contract stands on <paramref name="today"/> under <paramref name="supplierPolicies"/>.</summary>
    public static ContractStanding Evaluate(Supplier supplier, IReadOnlyList<SupplierPolicy> supplierPolicies, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        ArgumentNullException.ThrowIfNull(supplierPolicies);
        DateOnly? lapses = supplier.ContractSignedOn is { } signed && supplierPolicies.Count > 0 ? supplierPolicies.Min(p => p.ContractTerm.AddTo(signed)) : null;
        DateOnly? warnFrom = lapses is { } l ? supplierPolicies.Min(p => p.WarnBefore.SubtractFrom(l)) : null;
        var refusal = !supplier.Approved ? NotApproved
            : lapses is null ? NoContract
            : today >= lapses ? Lapsed
            : supplier.SuspendedAt is not null ? Suspended
            : null;
        return new ContractStanding(lapses, warnFrom, refusal);
    }
}
