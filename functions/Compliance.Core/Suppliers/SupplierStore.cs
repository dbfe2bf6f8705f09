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

    /// <summary>The principal ids (Entra ID object ids) of the supplier's transcribers, who sign in with the <c>Transcriber</c> role.</summary>
    public IReadOnlyList<string> Transcribers { get; init; } = [];

    /// <summary>When the supplier was suspended because its contract lapsed; null while it is not. A renewed contract lifts it.</summary>
    public DateTimeOffset? SuspendedAt { get; init; }

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
                ["Transcribers"] = string.Join(',', supplier.Transcribers),
                ["SuspendedAt"] = supplier.SuspendedAt,
                ["UpdatedAt"] = supplier.UpdatedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
        return !existed;
    }

    public async Task<Supplier?> FindAsync(string supplierId, CancellationToken cancellationToken = default)
    {
        NullableResponse<TableEntity> response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, supplierId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? FromEntity(e) : null;
    }

    /// <summary>Every supplier.</summary>
    public async Task<IReadOnlyList<Supplier>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<Supplier>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            all.Add(FromEntity(e));
        }

        return all;
    }

    /// <summary>The supplier whose transcribers include <paramref name="principalId"/>, or null.</summary>
    public async Task<Supplier?> FindByTranscriberAsync(string principalId, CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(s => s.Transcribers.Contains(principalId, StringComparer.Ordinal));

    /// <summary>Suspends the supplier (its contract lapsed); nothing changes if it is suspended already.</summary>
    public async Task<bool> SuspendAsync(string supplierId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, supplierId, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } row || row.GetDateTimeOffset("SuspendedAt") is not null)
        {
            return false;
        }

        try
        {
            await table.UpdateEntityAsync(new TableEntity(Partition, supplierId) { ["SuspendedAt"] = at }, row.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private static Supplier FromEntity(TableEntity e) => new()
    {
        SupplierId = e.RowKey,
        Name = e.GetString("Name") ?? e.RowKey,
        Email = e.GetString("Email"),
        Approved = e.GetBoolean("Approved") ?? false,
        ContractSignedOn = e.GetString("ContractSignedOn") is { } signed ? DateOnly.ParseExact(signed, "O", System.Globalization.CultureInfo.InvariantCulture) : null,
        Transcribers = (e.GetString("Transcribers") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        SuspendedAt = e.GetDateTimeOffset("SuspendedAt"),
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
    };
}
