using System.ComponentModel.DataAnnotations;
using Compliance.Functions.Mail.Graph;

namespace Compliance.Tests.Mail;

/// <summary>When the Graph settings switch the connector on, and which values stop the host at start-up.</summary>
public sealed class GraphOptionsTests
{
    private static GraphOptions Complete() => new()
    {
        TenantId = Guid.NewGuid().ToString(),
        ClientId = Guid.NewGuid().ToString(),
        ClientSecret = "secret",
        Mailbox = "MPATI@natcen.ac.uk",
        ClientState = "a-random-client-state",
        NotificationUrl = "https://func-compliance.azurewebsites.net/api/mail/graph-notifications",
    };

    [Fact]
    public void Complete_settings_switch_the_connector_on()
    {
        var options = Complete();

        options.IsConfigured.ShouldBeTrue();
        options.CanSubscribe.ShouldBeTrue();
        Errors(options).ShouldBeEmpty();
    }

    [Fact]
    public void A_Key_Vault_reference_the_platform_could_not_resolve_counts_as_unset()
    {
        var options = Complete();
        options.ClientState = "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=graph-client-state)";

        options.IsConfigured.ShouldBeFalse();
        options.Missing.ShouldBe(["Graph:ClientState"]);
    }

    [Fact]
    public void A_managed_identity_needs_no_tenant_client_id_or_secret()
    {
        var options = Complete();
        options.TenantId = options.ClientId = options.ClientSecret = null;
        options.IsConfigured.ShouldBeFalse();

        options.UseManagedIdentity = true;

        options.IsConfigured.ShouldBeTrue();
    }

    [Theory]
    [InlineData("NotificationUrl", "http://func-compliance.azurewebsites.net/api/mail/graph-notifications")]
    [InlineData("BaseUrl", "http://graph.microsoft.com/v1.0")]
    [InlineData("BaseUrl", "graph.microsoft.com")]
    [InlineData("ClientState", "a clientState longer than Graph's limit of one hundred and twenty-eight characters, which Graph would refuse when the subscription is made")]
    public void A_value_Graph_would_refuse_stops_the_host_naming_the_setting(string property, string value)
    {
        var options = Complete();
        typeof(GraphOptions).GetProperty(property)!.SetValue(options, value);

        Errors(options).ShouldHaveSingleItem().ShouldContain("Graph:" + property);
    }

    [Fact]
    public void Http_is_allowed_on_a_loopback_address_only()
    {
        var options = Complete();
        options.BaseUrl = "http://127.0.0.1:5099/v1.0";
        options.NotificationUrl = "http://localhost:7071/api/mail/graph-notifications";

        Errors(options).ShouldBeEmpty();
    }

    /// <summary>The messages of the validation that <c>ValidateDataAnnotations</c> runs at start-up.</summary>
    private static List<string> Errors(GraphOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }
}
