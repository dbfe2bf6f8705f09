using Compliance.Policies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Policies;

/// <summary>A host with a bad policy file does not start, and says which file and field are wrong.</summary>
public sealed class PolicyStartupTests(TestEnvironment env)
{
    [Fact]
    public async Task A_bad_policy_file_stops_the_host_naming_the_field()
    {
        var folder = Directory.CreateTempSubdirectory("policies-");
        try
        {
            var text = File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml"))
                .Replace("contractTerm: 12 months", "contractTerm: a year", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder.FullName, "broken-study.yaml"), text);

            var error = await Should.ThrowAsync<PolicyValidationException>(() =>
                env.StartHostAsync(true, new Dictionary<string, string?> { ["Policies:Directory"] = folder.FullName }));

            error.Message.ShouldContain("broken-study.yaml");
            error.Message.ShouldContain("suppliers.contractTerm");
            error.Message.ShouldContain("a year");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
