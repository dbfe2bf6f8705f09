using System.Text.Json;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Compliance.Tests.Infra;

/// <summary>The files around the Bicep that azd and the setup scripts read agree with the app.</summary>
public sealed class DeploymentFilesTests
{
    [Fact]
    public async Task The_Graph_secrets_are_stored_exactly_as_generated_with_no_trailing_newline()
    {
        // The Azure CLI's tsv output ends in a newline; stored as it came, the client secret Graph is sent would not match
        // (issue 18). The script runs against a stand-in az that answers as the CLI does and keeps what it is given.
        var capture = Directory.CreateTempSubdirectory("fake-az-").FullName;
        var run = new System.Diagnostics.ProcessStartInfo("sh", [Path.Combine(Repository.Root, "infra", "scripts", "set-graph-secrets.sh"), "--new-client-secret"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PATH"] = Path.Combine(Repository.Root, "tests", "Compliance.Tests", "Infra", "FakeAz") + ":" + Environment.GetEnvironmentVariable("PATH"),
                ["FAKE_AZ_CAPTURE"] = capture,
                ["AZURE_KEY_VAULT_NAME"] = "kv",
                ["AZURE_RESOURCE_GROUP"] = "rg",
                ["AZURE_FUNCTION_APP_NAME"] = "app",
                ["GRAPH_CLIENT_ID"] = "00000000-0000-0000-0000-000000000001",
            },
        };
        using var script = System.Diagnostics.Process.Start(run)!;
        var output = await script.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await script.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await script.WaitForExitAsync(TestContext.Current.CancellationToken);

        script.ExitCode.ShouldBe(0, output);
        (await File.ReadAllTextAsync(Path.Combine(capture, "graph-client-secret"), TestContext.Current.CancellationToken)).ShouldBe("client~secret.value");
        (await File.ReadAllTextAsync(Path.Combine(capture, "graph-client-state"), TestContext.Current.CancellationToken)).ShouldMatch("^[A-Za-z0-9_-]{64}$");
        output.ShouldNotContain("client~secret.value", customMessage: "the value never appears in the output");
    }

    [Fact]
    public void The_app_registration_has_exactly_the_app_roles_the_app_checks()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "infra", "scripts", "app-roles.json")));
        var roles = file.RootElement.EnumerateArray().ToList();

        roles.Select(r => r.GetProperty("value").GetString()).ShouldBe(Role.All);
        roles.Select(r => Guid.Parse(r.GetProperty("id").GetString()!)).Distinct().Count().ShouldBe(roles.Count);
        roles.ShouldAllBe(r => r.GetProperty("isEnabled").GetBoolean());
        roles.ShouldAllBe(r => r.GetProperty("allowedMemberTypes").EnumerateArray().Any(t => t.GetString() == "User"));
    }

    [Fact]
    public void Azd_deploys_the_Functions_project_as_a_function_app_and_provisions_infra_main()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Repository.Root, "azure.yaml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var api = (YamlMappingNode)((YamlMappingNode)root["services"])["api"];
        api["project"].ToString().ShouldBe("./functions/Compliance.Functions");
        api["host"].ToString().ShouldBe("function");
        api["language"].ToString().ShouldBe("dotnet");
        Directory.Exists(Path.Combine(Repository.Root, "functions", "Compliance.Functions")).ShouldBeTrue();

        var infra = (YamlMappingNode)root["infra"];
        infra["provider"].ToString().ShouldBe("bicep");
        File.Exists(Path.Combine(Repository.Root, infra["path"].ToString(), $"{infra["module"]}.bicep")).ShouldBeTrue();

        // The hooks the deployment depends on exist.
        var hooks = (YamlMappingNode)root["hooks"];
        foreach (var hook in new[] { "preprovision", "postprovision" })
        {
            var script = ((YamlMappingNode)((YamlMappingNode)hooks[hook])["posix"])["run"].ToString();
            File.Exists(Path.Combine(Repository.Root, script)).ShouldBeTrue($"{hook} runs {script}");
        }
    }
}
