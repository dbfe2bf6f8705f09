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
    private static readonly string[] Roles = [Role.Admin, Role.Dpo];

    /// <summary>
    /// <c>PUT /api/suppliers/{id}</c> with <c>{name, email?, approved?, contractSignedOn?, transcribers?}</c>: registers or
    /// updates a supplier; a later <c>contractSignedOn</c> (a renewed contract) lifts a suspension.
    /// </summary>
    [Function(nameof(PutSupplier))]
    public async Task<IActionResult> PutSupplier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "suppliers/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, Roles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (!StudyIds.IsWellFormed(id))
        {
            return ApiProblem.Validation(new Dictionary<string, string[]> { ["id"] = ["must be letters, digits, '-' or '_'."] });
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        Supplier supplier;
        using (document)
        {
            var fields = new JsonFields(document!.RootElement, ["name", "email", "approved", "contractSignedOn", "transcribers"]);
            supplier = new Supplier
            {
                SupplierId = id,
                Name = fields.Text("name", required: true, 200) ?? string.Empty,
                Email = fields.Text("email", required: false, 254, EmailAddresses.IsPlain, "must be a single email address such as name@example.org."),
                Approved = fields.Boolean("approved") ?? false,
                ContractSignedOn = fields.Date("contractSignedOn", required: false),
                Transcribers = fields.StringArray("transcribers", required: false, 50, t => t.Length is > 0 and <= 128 && !t.Contains(',', StringComparison.Ordinal), "must be principal ids (the transcribers' object ids).") ?? [],
                UpdatedAt = time.GetUtcNow(),
            };
            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }
        }

        // A suspension stays until a renewed contract (a later signing date) is recorded.
        if (await suppliers.FindAsync(id, cancellationToken) is { SuspendedAt: { } suspendedAt } before && !(supplier.ContractSignedOn > before.ContractSignedOn))
        {
            supplier = supplier with { SuspendedAt = suspendedAt };
        }

        var created = await suppliers.UpsertAsync(supplier, cancellationToken);
        await audit.AppendAsync(
            new AuditEvent(auth.Principal!.Id, created ? AuditActions.SupplierRegistered : AuditActions.SupplierUpdated)
            {
                Details = new Dictionary<string, string> { ["supplierId"] = id, ["approved"] = supplier.Approved ? "true" : "false" },
            },
            cancellationToken);
        logger.LogInformation("Supplier {SupplierId} {Change}", id, created ? "registered" : "updated");
        return created ? new CreatedResult($"/api/suppliers/{id}", supplier) : new OkObjectResult(supplier);
    }
}
