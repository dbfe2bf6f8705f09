using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Compliance.Policies;

/// <summary>Where policy files are read from (configuration section <c>Policies</c>).</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>The folder of policy files; relative paths are from the app's own folder, where the build copies <c>policies/</c>.</summary>
    [Required]
    public string Directory { get; set; } = "policies";
}

/// <summary>
/// The policy files of <c>policies/</c>, each read and validated once when the host starts. A study names its file
/// (<c>policyFile: mpati</c> for <c>mpati.yaml</c>) or carries its policy inline.
/// </summary>
public sealed partial class PolicyCatalog
{
    private readonly Dictionary<string, (StudyPolicy Policy, string Text)> policies;

    private PolicyCatalog(Dictionary<string, (StudyPolicy, string)> policies) => this.policies = policies;

    /// <summary>The names of the files, without extension.</summary>
    public IReadOnlyCollection<string> Names => policies.Keys;

    /// <summary>The policy of file <paramref name="name"/> and its text, or false.</summary>
    public bool TryGet(string name, out StudyPolicy? policy, out string? text)
    {
        if (policies.TryGetValue(name, out var entry))
        {
            (policy, text) = entry;
            return true;
        }

        (policy, text) = (null, null);
        return false;
    }

    /// <summary>Reads every <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> policy in <paramref name="directory"/> (the schema excepted); throws naming the file and fields of any that is not valid.</summary>
    public static PolicyCatalog Load(string directory)
    {
        var path = Path.GetFullPath(directory, AppContext.BaseDirectory);
        if (!System.IO.Directory.Exists(path))
        {
            throw new InvalidOperationException($"The policy folder '{path}' does not exist (setting Policies:Directory).");
        }

        var policies = new Dictionary<string, (StudyPolicy, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in System.IO.Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file).ToLowerInvariant();
            var name = Path.GetFileNameWithoutExtension(file);
            if (extension is not (".yaml" or ".yml" or ".json") || name.EndsWith(".schema", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!NamePattern().IsMatch(name))
            {
                throw new InvalidOperationException($"The policy file '{Path.GetFileName(file)}' needs a name of letters, digits, '-' or '_'.");
            }

            var text = File.ReadAllText(file);
            policies.Add(name, (PolicyReader.Read(text, $"file '{Path.GetFileName(file)}'"), text));
        }

        return new PolicyCatalog(policies);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>Loads the policy catalogue when the host starts, so a bad policy file stops it with a message naming the field.</summary>
public sealed class PolicyStartupCheck(PolicyCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = catalog.Names;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Builds the catalogue from options; registered as the catalogue's factory.</summary>
public static class PolicyCatalogFactory
{
    public static PolicyCatalog Create(IOptions<PolicyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PolicyCatalog.Load(options.Value.Directory);
    }
}
