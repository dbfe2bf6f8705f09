namespace Compliance;

/// <summary>How the app tells whether a setting, a secret above all, has a value.</summary>
public static class Settings
{
    /// <summary>
    /// A setting counts when it has a value other than a Key Vault reference the platform could not resolve: App Service
    /// leaves the reference's text (<c>@Microsoft.KeyVault(…)</c>) in place when the secret does not exist, and that text
    /// follows from public names, so taken as a value it would be a key anyone could work out.
    /// </summary>
    public static bool IsSet(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
