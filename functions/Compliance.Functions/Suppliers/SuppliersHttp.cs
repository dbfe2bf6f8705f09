using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Studies;
using Compliance.Suppliers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Suppliers;

/// <summary>Supplier records: who the transcription company is and where deletion notices (Art. 19) go.</summary>
public sealed class SuppliersHttp(SupplierStore suppliers, AuditLog audit, TimeProvider time, IOptions<HttpOptions> httpOptions, ILogger<SuppliersHttp> logger)
{
    internal static readonly string[] Roles = [Role.Admin, Role.Dpo];

    /// <summary>
    /// <c>PUT /api/suppliers/{id}</c> with <c>{name, email?, approved?, contractSignedOn?, transcribers?}</c>: registers or
    /// updates a supplier; a later <c>contractSignedOn</c> (a renewed contract) lifts a suspension.
    /// </summary>
    [Function(nameof(PutSupplier))]
    public async Task<IActionResult> PutSupplier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/suppliers/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (principal, body, problem) = await StaffRoute.ReadAsync(req, Roles, StudyIds.IsWellFormed(id), "must be letters, digits, '-' or '_'.", SupplierBody.Schema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var supplier = body!.ToSupplier(id, time.GetUtcNow());

        // A suspension stays until a renewed contract (a later signing date) is recorded.
        if (await suppliers.FindAsync(id, cancellationToken) is { SuspendedAt: { } suspendedAt } before && !(supplier.ContractSignedOn > before.ContractSignedOn))
        {
            supplier = supplier with { SuspendedAt = suspendedAt };
        }

        var created = await suppliers.UpsertAsync(supplier, cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(principal!.Id, created ? AuditActions.SupplierRegistered : AuditActions.SupplierUpdated)
            {
                Details = new Dictionary<string, string> { ["supplierId"] = id, ["approved"] = supplier.Approved ? "true" : "false" },
            },
            cancellationToken);
        logger.LogInformation("Supplier {SupplierId} {Change}", id, created ? "registered" : "updated");
        return created ? new CreatedResult($"/api/suppliers/{id}", supplier) : new OkObjectResult(supplier);
    }
}
