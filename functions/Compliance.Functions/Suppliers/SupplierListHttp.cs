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
    internal static readonly string[] Roles = [Role.Admin, Role.Dpo];

    [Function(nameof(ListSuppliers))]
    public async Task<IActionResult> ListSuppliers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/suppliers")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var auth = StaffAuthorization.Require(req, Roles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (page, problem) = PageQuery.ReadAlone(req.Query);
        if (problem is not null)
        {
            return problem;
        }

        var today = UkTime.DateOf(time.GetUtcNow());
        var policies = await contracts.PoliciesAsync(cancellationToken);
        return PageQuery.Answer(
            (await suppliers.ListAsync(cancellationToken)).Select(s => ViewOf(s, SupplierContracts.Evaluate(s, policies, today), today)),
            s => s.SupplierId,
            page,
            (views, next) => new SupplierList(views, next));
    }

    private static SupplierView ViewOf(Supplier s, ContractStanding standing, DateOnly today) => new(
        s.SupplierId, s.Name, s.Email, s.Approved, s.ContractSignedOn, standing.LapsesOn, standing.LapsesOn is { } lapses ? lapses.DayNumber - today.DayNumber : null,
        standing.WarnFrom is { } warn && today >= warn, standing.Refusal ?? SupplierStanding.Current, s.SuspendedAt, s.Transcribers);
}
