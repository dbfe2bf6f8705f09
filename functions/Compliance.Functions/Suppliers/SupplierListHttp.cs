using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Suppliers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Suppliers;

/// <summary><c>GET /api/suppliers</c> (DPO, Admin): every supplier with its contract's standing and the days until it lapses.</summary>
public sealed class SupplierListHttp(SupplierStore suppliers, SupplierContracts contracts, TimeProvider time)
{
    private static readonly string[] Roles = [Role.Admin, Role.Dpo];

    [Function(nameof(ListSuppliers))]
    public async Task<IActionResult> ListSuppliers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/suppliers")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, Roles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var today = UkTime.DateOf(time.GetUtcNow());
        var policies = await contracts.PoliciesAsync(cancellationToken);
        var views = (await suppliers.ListAsync(cancellationToken))
            .OrderBy(s => s.SupplierId, StringComparer.Ordinal)
            .Select(s => ViewOf(s, SupplierContracts.Evaluate(s, policies, today), today))
            .ToList();
        return new OkObjectResult(new SupplierList(views));
    }

    private static SupplierView ViewOf(Supplier s, ContractStanding standing, DateOnly today) => new(
        s.SupplierId, s.Name, s.Email, s.Approved, s.ContractSignedOn, standing.LapsesOn, standing.LapsesOn is { } lapses ? lapses.DayNumber - today.DayNumber : null,
        standing.WarnFrom is { } warn && today >= warn, standing.Refusal ?? SupplierStanding.Current, s.SuspendedAt, s.Transcribers);
}
