using System.Net;
using Compliance.Functions.Mail;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Compliance.Tests.SelfHost;

/// <summary><c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> switches a trigger function off, in the self-host as in the Functions host.</summary>
public sealed class FunctionSwitchTests(TestEnvironment env)
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.Read(Compliance.Functions.FunctionsAppExtensions.FunctionsAssembly);

    private static FunctionDescriptor Function(string name) => Catalog.Functions.Single(f => f.Name == name);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData("AzureWebJobs.SendOutbox.Disabled", "true", true)]
    [InlineData("AzureWebJobs.SendOutbox.Disabled", "True", true)]
    [InlineData("AzureWebJobs:SendOutbox:Disabled", "true", true)]
    [InlineData("AzureWebJobs.SendOutbox.Disabled", "false", false)]
    [InlineData("AzureWebJobs.ListTasks.Disabled", "true", false)]
    public void A_timer_is_switched_off_by_its_own_setting_in_either_form(string key, string value, bool disabled)
    {
        FunctionSwitches.IsDisabled(Function(nameof(OutboxSend.SendOutbox)), Settings((key, value))).ShouldBe(disabled);
    }

    [Fact]
    public void Orchestrators_and_activities_are_never_switched_off()
    {
        var orchestrator = Catalog.OfKind(FunctionKind.Orchestrator).First();
        var activity = Catalog.OfKind(FunctionKind.Activity).First();

        FunctionSwitches.IsDisabled(orchestrator, Settings((FunctionSwitches.SettingFor(orchestrator.Name), "true"))).ShouldBeFalse();
        FunctionSwitches.IsDisabled(activity, Settings((FunctionSwitches.SettingFor(activity.Name), "true"))).ShouldBeFalse();
    }

    [Fact]
    public void A_value_that_is_not_true_or_false_names_the_setting()
    {
        var error = Should.Throw<InvalidOperationException>(() => FunctionSwitches.IsDisabled(Function(nameof(OutboxSend.SendOutbox)), Settings(("AzureWebJobs.SendOutbox.Disabled", "yes"))));

        error.Message.ShouldContain("AzureWebJobs.SendOutbox.Disabled");
    }

    [Fact]
    public async Task A_switched_off_HTTP_function_is_not_served_and_the_banner_says_so()
    {
        await using var host = await env.StartHostAsync(true, new Dictionary<string, string?> { [FunctionSwitches.SettingFor("ListTasks")] = "true" });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);

        using (var tasks = await http.SendAsync(Staff.Get("/api/tasks", Compliance.Identity.Role.Dpo), TestContext.Current.CancellationToken))
        {
            tasks.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using (var requests = await http.SendAsync(Staff.Get("/api/requests", Compliance.Identity.Role.Dpo), TestContext.Current.CancellationToken))
        {
            requests.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var banner = new StringWriter();
        host.WriteBanner(banner);
        banner.ToString().ShouldContain("(disabled: AzureWebJobs.ListTasks.Disabled)");
        banner.ToString().ShouldContain("(disabled: AzureWebJobs.SendOutbox.Disabled)", customMessage: "test hosts start with their timers off");
    }
}
