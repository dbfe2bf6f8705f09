using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Infra;

/// <summary>
/// The Bicep compiler of infra/tools/Bicep.props, restored from NuGet with this test project. Not finding it fails the
/// tests that need it: a missing compiler must not pass for a checked template.
/// </summary>
public static class BicepCompiler
{
    /// <summary>Overrides the compiler's path, e.g. on a machine where the linux-x64 package does not run.</summary>
    public const string OverrideVariable = "BICEP_CLI";

    /// <summary>The compiler's path; throws, saying where it was looked for and how to get it, when it is not there.</summary>
    public static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable(OverrideVariable);
        var path = string.IsNullOrWhiteSpace(configured) ? Metadata("BicepCliPath") : configured;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Bicep compiler was not found at '{path}'. It comes from the NuGet package {Metadata("BicepCliPackage")} " +
                "(infra/tools/Bicep.props), which restoring tests/Compliance.Tests downloads: run 'dotnet restore " +
                $"tests/Compliance.Tests' (or scripts/check-infra.sh), or set {OverrideVariable} to a bicep binary of that version.",
                path);
        }

        return path;
    }

    /// <summary>
    /// Compiles a .bicep file (and its modules) to its ARM template; throws with the compiler's messages if it fails or
    /// reports a linter error or warning (infra/bicepconfig.json), as scripts/check-infra.sh does in CI.
    /// </summary>
    public static async Task<ArmTemplate> BuildAsync(string bicepFile, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add(bicepFile);
        start.ArgumentList.Add("--stdout");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The Bicep compiler did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var json = await stdout;
        var messages = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build {bicepFile} failed ({process.ExitCode}):\n{messages}");
        }

        if (messages.Contains(": Warning ", StringComparison.Ordinal) || messages.Contains(": Error ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"bicep build {bicepFile} reports linter warnings or errors:\n{messages}");
        }

        return new ArmTemplate(JsonNode.Parse(json)!.AsObject(), "main");
    }

    private static string Metadata(string key) =>
        typeof(BicepCompiler).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>infra/main.bicep compiled once for every test of a class.</summary>
public sealed class CompiledMainTemplate : IAsyncLifetime
{
    private ArmTemplate? _template;

    public static string MainBicep { get; } = Path.Combine(Repository.Root, "infra", "main.bicep");

    public ArmTemplate Template => _template ?? throw new InvalidOperationException("The template was not compiled.");

    public async ValueTask InitializeAsync() => _template = await BicepCompiler.BuildAsync(MainBicep, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
