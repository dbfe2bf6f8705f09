using Compliance.Functions.Http;
using Compliance.Mail;
using Compliance.Suppliers;

namespace Compliance.Functions.Suppliers;

/// <summary>The body of <c>PUT /api/suppliers/{id}</c>: <c>{name, email?, approved?, contractSignedOn?, transcribers?}</c>.</summary>
public sealed record SupplierBody(string Name, string? Email, bool Approved, DateOnly? ContractSignedOn, IReadOnlyList<string> Transcribers)
{
    public static BodySchema<SupplierBody> Schema { get; } = new(
        ["name", "email", "approved", "contractSignedOn", "transcribers"],
        f => new(
            f.Text("name", required: true, 200) ?? string.Empty,
            f.Text("email", required: false, 254, EmailAddresses.IsPlain, "must be a single email address such as name@example.org."),
            f.Boolean("approved") ?? false,
            f.Date("contractSignedOn", required: false),
            f.StringArray("transcribers", required: false, 50, t => t.Length is > 0 and <= 128 && !t.Contains(',', StringComparison.Ordinal), "must be principal ids (the transcribers' object ids).") ?? []));

    /// <summary>The supplier record this body sets, as of <paramref name="at"/>.</summary>
    public Supplier ToSupplier(string supplierId, DateTimeOffset at) => new()
    {
        SupplierId = supplierId,
        Name = Name,
        Email = Email,
        Approved = Approved,
        ContractSignedOn = ContractSignedOn,
        Transcribers = Transcribers,
        UpdatedAt = at,
    };
}
