using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Suppliers;

/// <summary>A processor's sub-processor, such as the transcription company: who it is and where it is told what to delete.</summary>
public sealed record Supplier
{
    public required string SupplierId { get; init; }
    public required string Name { get; init; }

    /// <summary>Where notices to the supplier go (Art. 19 deletion notices); a business address, not a participant's.</summary>
    public string? Email { get; init; }
    public bool Approved { get; init; }
    public DateOnly? ContractSignedOn { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Suppliers in the <c>Suppliers</c> table, one row each.</summary>
public sealed class SupplierStore(TableServiceClient tables)
{
    private const string Partition = "suppliers";
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Suppliers);

    /// <summary>Creates or replaces a supplier; true when it was new.</summary>
    public async Task<bool> UpsertAsync(Supplier supplier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        var existed = await FindAsync(supplier.SupplierId, cancellationToken) is not null;
        await table.UpsertEntityAsync(
            new TableEntity(Partition, supplier.SupplierId)
            {
                ["Name"] = supplier.Name,
                ["Email"] = supplier.Email,
                ["Approved"] = supplier.Approved,
                ["ContractSignedOn"] = supplier.ContractSignedOn?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["UpdatedAt"] = supplier.UpdatedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
        return !existed;
    }

    public async Task<Supplier?> FindAsync(string supplierId, CancellationToken cancellationToken = default)
    {
        NullableResponse<TableEntity> response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, supplierId, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } e)
        {
            return null;
        }

        return new Supplier
        {
            SupplierId = supplierId,
            Name = e.GetString("Name") ?? supplierId,
            Email = e.GetString("Email"),
            Approved = e.GetBoolean("Approved") ?? false,
            ContractSignedOn = e.GetString("ContractSignedOn") is { } signed ? DateOnly.ParseExact(signed, "O", System.Globalization.CultureInfo.InvariantCulture) : null,
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
        };
    }
}
