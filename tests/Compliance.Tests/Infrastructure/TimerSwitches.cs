using Compliance.Functions;
using Compliance.SelfHost.Binding;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// Test hosts share one Azurite, and a timer sees the whole of it: a retention sweep or a supplier check started by one
/// test's host would act on every other test's studies. So every host a test starts has all its timer functions switched
/// off (<c>AzureWebJobs.&lt;name&gt;.Disabled</c>), and a test that is about a timer switches that one on (the same
/// setting, <c>false</c>).
/// </summary>
public static class TimerSwitches
{
    private static readonly IReadOnlyList<string> Timers =
        [.. FunctionCatalog.Read(FunctionsAppExtensions.FunctionsAssembly).OfKind(FunctionKind.Timer).Select(f => f.Name)];

    /// <summary>Settings that switch every timer function off.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> AllOff() =>
        Timers.Select(name => new KeyValuePair<string, string?>(FunctionSwitches.SettingFor(name), "true"));

    /// <summary>The same as environment variables, for a self-host process.</summary>
    public static IEnumerable<KeyValuePair<string, string>> AllOffAsEnvironment() =>
        Timers.Select(name => new KeyValuePair<string, string>($"AzureWebJobs__{name}__Disabled", "true"));
}
