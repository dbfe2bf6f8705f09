using Microsoft.Extensions.Configuration;

namespace Compliance.SelfHost.Binding;

/// <summary>
/// The Functions host's switch for turning a function off, honoured here too: the app setting
/// <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> (or <c>AzureWebJobs__&lt;FunctionName&gt;__Disabled</c>, the form an
/// environment variable can carry) set to <c>true</c> stops a timer function from being scheduled and an HTTP function from
/// being mapped. Orchestrators and activities are never switched off: a workflow already running needs them.
/// </summary>
public static class FunctionSwitches
{
    /// <summary>The setting that disables <paramref name="functionName"/>, as the Functions documentation writes it.</summary>
    public static string SettingFor(string functionName) => $"AzureWebJobs.{functionName}.Disabled";

    /// <summary>Whether <paramref name="function"/> is a trigger function that configuration has switched off.</summary>
    public static bool IsDisabled(FunctionDescriptor function, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(configuration);
        if (function.Kind is not (FunctionKind.Timer or FunctionKind.Http))
        {
            return false;
        }

        var value = configuration[SettingFor(function.Name)] ?? configuration[$"AzureWebJobs:{function.Name}:Disabled"];
        if (value is null)
        {
            return false;
        }

        return bool.TryParse(value, out var disabled)
            ? disabled
            : throw new InvalidOperationException($"The setting '{SettingFor(function.Name)}' must be true or false.");
    }
}
