using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Compliance.Tests.Infra;

/// <summary>
/// Reads the ARM template that infra/main.bicep compiles to and checks the security properties of the deployment, so that
/// a later change cannot drop one silently (docs/deploy.md, ADRs 0006 and 0007).
/// </summary>
public sealed class InfrastructureTemplateTests(CompiledMainTemplate compiled) : IClassFixture<CompiledMainTemplate>
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Settings whose suffix names a service an identity-based connection reaches.</summary>
    private static readonly string[] ConnectionSuffixes =
        ["__blobServiceUri", "__queueServiceUri", "__tableServiceUri", "__serviceUri", "__accountName", "__fullyQualifiedNamespace"];

    private ArmTemplate Main => compiled.Template;

    private ArmTemplate StorageModule => Main.Module("storage").Template;

    private ArmTemplate FunctionAppModule => Main.Module("function-app").Template;

    private JsonObject AppSettings => FunctionAppModule.OfType("Microsoft.Web/sites/config")
        .Single(r => ((string)r["name"]!).Contains("'appsettings'", StringComparison.Ordinal))["properties"]!.AsObject();

    private JsonObject AuthSettings => FunctionAppModule.OfType("Microsoft.Web/sites/config")
        .Single(r => ((string)r["name"]!).Contains("'authsettingsV2'", StringComparison.Ordinal))["properties"]!.AsObject();

    [Fact]
    public void Storage_accepts_only_Entra_ID_over_TLS_1_2_and_serves_no_public_blobs()
    {
        var account = StorageModule.One("Microsoft.Storage/storageAccounts")["properties"]!;

        ((bool)account["allowSharedKeyAccess"]!).ShouldBeFalse("no account keys, and so no SAS or connection strings made from them");
        ((bool)account["defaultToOAuthAuthentication"]!).ShouldBeTrue();
        ((bool)account["isLocalUserEnabled"]!).ShouldBeFalse();
        ((bool)account["allowBlobPublicAccess"]!).ShouldBeFalse();
        ((bool)account["allowCrossTenantReplication"]!).ShouldBeFalse();
        ((string)account["minimumTlsVersion"]!).ShouldBe("TLS1_2");
        ((bool)account["supportsHttpsTrafficOnly"]!).ShouldBeTrue();
        // As decided in ADR 0007: the public endpoint is reachable (Flex Consumption without a virtual network), every
        // request needs an Entra ID token with a data role.
        ((string)account["publicNetworkAccess"]!).ShouldBe("Enabled");
        StorageModule.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .ShouldAllBe(c => (string?)c["properties"]!["publicAccess"] == "None");
    }

    [Fact]
    public void Storage_has_every_table_and_container_of_StorageLayout()
    {
        var layout = Main.Variables["storageLayout"]!;
        Strings(layout["containers"]).ShouldBe(StorageLayout.Containers.All, ignoreOrder: true);
        Strings(layout["tables"]).ShouldBe(StorageLayout.Tables.All, ignoreOrder: true);

        var storage = Main.Module("storage");
        Strings(Main.Resolve(storage.Argument("containerNames"))).ShouldBe(StorageLayout.Containers.All, ignoreOrder: true);
        Strings(Main.Resolve(storage.Argument("tableNames"))).ShouldBe(StorageLayout.Tables.All, ignoreOrder: true);

        // One container per name and one table per name, by copy loops over those parameters.
        StorageModule.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .ShouldContain(c => (string?)c["copy"]!["count"] == "[length(parameters('containerNames'))]"
                && ((string)c["name"]!).Contains("parameters('containerNames')[copyIndex()]", StringComparison.Ordinal));
        StorageModule.OfType("Microsoft.Storage/storageAccounts/tableServices/tables")
            .ShouldContain(t => (string?)t["copy"]!["count"] == "[length(parameters('tableNames'))]"
                && ((string)t["name"]!).Contains("parameters('tableNames')[copyIndex()]", StringComparison.Ordinal));
    }

    [Fact]
    public void Certificates_and_audit_anchors_are_immutable_for_a_time()
    {
        Main.Resolve(Main.Module("storage").Argument("certificatesContainerName"))!.GetValue<string>()
            .ShouldBe(StorageLayout.Containers.Certificates);
        Main.Resolve(Main.Module("storage").Argument("auditAnchorsContainerName"))!.GetValue<string>()
            .ShouldBe(StorageLayout.Containers.AuditAnchors);

        var policies = StorageModule.OfType("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies").ToList();
        policies.Select(p => (string)p["name"]!).ShouldSatisfyAllConditions(
            names => names.ShouldContain(n => n.Contains("parameters('certificatesContainerName')", StringComparison.Ordinal)),
            names => names.ShouldContain(n => n.Contains("parameters('auditAnchorsContainerName')", StringComparison.Ordinal)));
        policies.Count.ShouldBe(2);
        foreach (var policy in policies)
        {
            ((string)policy["properties"]!["immutabilityPeriodSinceCreationInDays"]!).ShouldBe("[parameters('certificateImmutabilityDays')]");
            ((bool)policy["properties"]!["allowProtectedAppendWrites"]!).ShouldBeFalse();
            ((bool)policy["properties"]!["allowProtectedAppendWritesAll"]!).ShouldBeFalse();
        }

        ((string)Main.Module("storage").Argument("certificateImmutabilityDays")!).ShouldBe("[parameters('certificateImmutabilityDays')]");
        ((int)Main.Parameters["certificateImmutabilityDays"]!["defaultValue"]!).ShouldBeGreaterThanOrEqualTo(365);
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 0)]
    public void Once_the_DPO_has_locked_the_immutability_policies_the_template_leaves_them_alone(bool locked, int policiesDeployed)
    {
        // A locked policy refuses every PUT, so a template that redeploys it makes every later azd provision fail (issue 18).
        var policies = StorageModule.OfType("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
        var arguments = new Dictionary<string, bool> { ["immutabilityPoliciesLocked"] = locked };
        policies.Count(p => ArmTemplate.IsDeployed(p, arguments)).ShouldBe(policiesDeployed);

        // The rest of the storage (containers, lifecycle rules) is deployed either way.
        StorageModule.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ShouldAllBe(c => ArmTemplate.IsDeployed(c, arguments));
        ArmTemplate.IsDeployed(StorageModule.One("Microsoft.Storage/storageAccounts/managementPolicies"), arguments).ShouldBeTrue();

        // main passes the flag through, unlocked unless azd's environment says otherwise.
        ((string)Main.Module("storage").Argument("immutabilityPoliciesLocked")!).ShouldBe("[parameters('immutabilityPoliciesLocked')]");
        ((bool)Main.Parameters["immutabilityPoliciesLocked"]!["defaultValue"]!).ShouldBeFalse();
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "infra", "main.parameters.json")), Lenient);
        file.RootElement.GetProperty("parameters").GetProperty("immutabilityPoliciesLocked").GetProperty("value").GetString()
            .ShouldBe("${COMPLIANCE_IMMUTABILITY_POLICIES_LOCKED=false}");
    }

    [Fact]
    public void Versioning_and_soft_delete_are_on_and_given_to_the_app_and_outputs_for_certificates()
    {
        var blob = StorageModule.One("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;

        ((bool)blob["isVersioningEnabled"]!).ShouldBeTrue();
        ((bool)blob["deleteRetentionPolicy"]!["enabled"]!).ShouldBeTrue();
        ((string)blob["deleteRetentionPolicy"]!["days"]!).ShouldBe("[parameters('blobSoftDeleteRetentionDays')]");
        ((bool)blob["deleteRetentionPolicy"]!["allowPermanentDelete"]!).ShouldBeFalse("nobody may skip the window the certificates state");
        ((bool)blob["containerDeleteRetentionPolicy"]!["enabled"]!).ShouldBeTrue();

        // azd keeps outputs in the environment, and the app gets the same values as settings, for the certificates to state.
        foreach (var output in new[]
        {
            "STORAGE_BLOB_SOFT_DELETE_RETENTION_DAYS", "STORAGE_CONTAINER_SOFT_DELETE_RETENTION_DAYS", "STORAGE_BLOB_VERSIONING_ENABLED",
            "STORAGE_PREVIOUS_VERSION_RETENTION_DAYS", "STORAGE_CERTIFICATE_IMMUTABILITY_DAYS",
        })
        {
            Main.Outputs.Select(o => o.Key).ShouldContain(output);
        }

        AppSettings.Select(s => s.Key).ShouldContain("StorageProtection__BlobSoftDeleteRetentionDays");
        AppSettings.Select(s => s.Key).ShouldContain("StorageProtection__PreviousVersionRetentionDays");
    }

    [Fact]
    public void Lifecycle_rules_are_a_safety_net_for_the_outbox_and_exports_and_bound_previous_versions()
    {
        var safetyNet = Main.Module("storage").Argument("safetyNetRetentionDays")!.AsObject();
        safetyNet.Select(p => p.Key).ShouldBe([StorageLayout.Containers.MailOutbox, StorageLayout.Containers.Exports], ignoreOrder: true);

        var lifecycle = StorageModule.One("Microsoft.Storage/storageAccounts/managementPolicies");
        ((string)lifecycle["properties"]!["policy"]!["rules"]!).ShouldContain("variables('safetyNetRules')");
        ((string)lifecycle["properties"]!["policy"]!["rules"]!).ShouldContain("variables('previousVersionsRule')");
        StorageModule.Variables["previousVersionsRule"]!["definition"]!["actions"]!["version"]!["delete"]!["daysAfterCreationGreaterThan"]!
            .GetValue<string>().ShouldBe("[parameters('previousVersionRetentionDays')]");
    }

    [Fact]
    public void Previous_versions_expire_in_the_Functions_hosts_and_the_task_hubs_containers_too()
    {
        // Deletion certificates state that previous versions go after previousVersionRetentionDays; the host's and the
        // task hub's containers are versioned too, and <hub>-largemessages holds workflow payloads (issue 18).
        var storage = Main.Module("storage");
        var hub = (string)Main.Parameters["durableTaskHubName"]!["defaultValue"]!;
        ((string)storage.Argument("durableTaskHubName")!).ShouldBe("[parameters('durableTaskHubName')]");
        ((string)Main.Module("function-app").Argument("durableTaskHubName")!).ShouldBe("[parameters('durableTaskHubName')]", "the app runs the task hub the rule names");
        ((string)StorageModule.Variables["taskHubContainerPrefix"]!).ShouldBe("[toLower(parameters('durableTaskHubName'))]", "the Azure Storage provider names its containers in lower case");
        var deploymentContainer = Main.Resolve(storage.Argument("deploymentContainerName"))!.GetValue<string>();

        var rule = StorageModule.Variables["previousVersionsPlatformRule"]!;
        ((bool)rule["enabled"]!).ShouldBeTrue();
        ((string)StorageModule.One("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!["policy"]!["rules"]!)
            .ShouldContain("variables('previousVersionsPlatformRule')");
        rule["definition"]!["actions"]!["version"]!["delete"]!["daysAfterCreationGreaterThan"]!.GetValue<string>()
            .ShouldBe("[parameters('previousVersionRetentionDays')]");

        var prefixes = Strings(rule["definition"]!["filters"]!["prefixMatch"]).Select(p => PrefixFor(p, hub, deploymentContainer)).ToList();
        prefixes.ShouldBe(
            [
                "azure-webjobs-hosts/", "azure-webjobs-secrets/", $"{hub.ToLowerInvariant()}-leases/", $"{hub.ToLowerInvariant()}-applease/",
                $"{hub.ToLowerInvariant()}-largemessages/", $"{deploymentContainer}/",
            ],
            ignoreOrder: true);

        // Azure takes at most 10 prefixes in a rule: the app's rule has one per container but the two immutable ones.
        prefixes.Count.ShouldBeLessThanOrEqualTo(10);
        StorageLayout.Containers.All.Except([StorageLayout.Containers.Certificates, StorageLayout.Containers.AuditAnchors]).Count()
            .ShouldBeLessThanOrEqualTo(10, "split the previous-versions rule: a lifecycle rule takes at most 10 prefixes");
    }

    [Fact]
    public void No_app_setting_or_resource_holds_a_storage_key_or_connection_string()
    {
        var everything = Main.Json.ToJsonString();
        foreach (var forbidden in new[] { "listKeys", "listAccountSas", "listServiceSas", "AccountKey=", "SharedAccessSignature=", "DefaultEndpointsProtocol" })
        {
            everything.ShouldNotContain(forbidden, Case.Insensitive);
        }

        AppSettings.Select(s => s.Key).ShouldNotContain("AzureWebJobsStorage", "AzureWebJobsStorage is identity-based: service URIs, not a connection string");
        AppSettings.Where(s => s.Key.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase) || s.Key.EndsWith("CONNECTION_STRING", StringComparison.Ordinal))
            .Select(s => s.Key)
            .ShouldBe(["APPLICATIONINSIGHTS_CONNECTION_STRING"], "the only connection string is Application Insights', an address with local authentication disabled");
    }

    [Fact]
    public void Every_storage_connection_uses_the_managed_identity()
    {
        var keys = AppSettings.Select(s => s.Key).ToList();
        var connections = keys
            .SelectMany(k => ConnectionSuffixes.Where(suffix => k.EndsWith(suffix, StringComparison.Ordinal)).Select(suffix => k[..^suffix.Length]))
            .Distinct()
            .ToList();

        connections.ShouldContain("AzureWebJobsStorage");
        foreach (var connection in connections)
        {
            ((string?)AppSettings[$"{connection}__credential"]).ShouldBe("managedidentity", $"{connection} must use the managed identity");
            ((string?)AppSettings[$"{connection}__clientId"]).ShouldBe("[parameters('identityClientId')]", $"{connection} must name the user-assigned identity");
        }

        foreach (var service in new[] { "blob", "queue", "table" })
        {
            ((string?)AppSettings[$"AzureWebJobsStorage__{service}ServiceUri"]).ShouldBe($"[parameters('storage{char.ToUpperInvariant(service[0])}{service[1..]}Endpoint')]");
        }

        var site = FunctionAppModule.One("Microsoft.Web/sites");
        ((string)site["identity"]!["type"]!).ShouldBe("UserAssigned");
        ((string)site["properties"]!["keyVaultReferenceIdentity"]!).ShouldBe("[parameters('identityResourceId')]");
        var deploymentStorage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!;
        ((string)deploymentStorage["type"]!).ShouldBe("UserAssignedIdentity");
        ((string)deploymentStorage["userAssignedIdentityResourceId"]!).ShouldBe("[parameters('identityResourceId')]");
    }

    [Fact]
    public void The_app_is_dotnet_isolated_10_on_Flex_Consumption_and_gets_every_setting_it_reads()
    {
        var plan = FunctionAppModule.One("Microsoft.Web/serverfarms");
        ((string)plan["sku"]!["name"]!).ShouldBe("FC1");
        ((string)plan["sku"]!["tier"]!).ShouldBe("FlexConsumption");
        var runtime = FunctionAppModule.One("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["runtime"]!;
        ((string)runtime["name"]!).ShouldBe("dotnet-isolated");
        ((string)Main.Module("function-app").Argument("runtimeVersion")!).ShouldBe("10.0");

        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.sample.json")), Lenient);
        var read = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)
            // Flex Consumption takes the worker runtime from functionAppConfig.runtime and rejects the setting; the storage
            // connection is identity-based (AzureWebJobsStorage__*), checked above.
            .Except(["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"])
            .ToList();

        read.ShouldNotBeEmpty();
        read.ShouldAllBe(k => AppSettings.ContainsKey(k), "a setting in local.settings.sample.json is missing from the Function App's app settings");
        AppSettings.Select(s => s.Key).ShouldNotContain("FUNCTIONS_WORKER_RUNTIME");
        AppSettings.Select(s => s.Key).ShouldNotContain("WEBSITE_RUN_FROM_PACKAGE");
    }

    [Fact]
    public void Durable_Functions_has_an_always_ready_instance_and_polls_its_queues_at_least_every_10_seconds()
    {
        // What Microsoft documents for Durable Functions (Azure Storage provider) on Flex Consumption (issue 18).
        var scale = FunctionAppModule.One("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        var alwaysReady = scale["alwaysReady"]!.AsArray().Select(a => a!.AsObject()).ToList();
        alwaysReady.Select(a => (string?)a["name"]).ShouldBe(["durable"]);
        ((string)alwaysReady[0]["instanceCount"]!).ShouldBe("[parameters('durableAlwaysReadyInstanceCount')]");
        ((string)Main.Module("function-app").Argument("durableAlwaysReadyInstanceCount")!).ShouldBe("[parameters('durableAlwaysReadyInstanceCount')]");
        ((int)Main.Parameters["durableAlwaysReadyInstanceCount"]!["defaultValue"]!).ShouldBe(1);
        using (var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "infra", "main.parameters.json")), Lenient))
        {
            parameters.RootElement.GetProperty("parameters").GetProperty("durableAlwaysReadyInstanceCount").GetProperty("value").GetString()
                .ShouldBe("${COMPLIANCE_DURABLE_ALWAYS_READY_INSTANCES=1}");
        }

        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "functions", "Compliance.Functions", "host.json")), Lenient);
        var provider = host.RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("storageProvider");
        provider.GetProperty("type").GetString().ShouldBe("AzureStorage");
        var polling = TimeSpan.Parse(provider.GetProperty("maxQueuePollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        polling.ShouldBeGreaterThan(TimeSpan.Zero);
        polling.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(10), "the default of 30 s leaves workflow steps waiting on Flex Consumption");
    }

    [Fact]
    public void Authentication_lets_participants_through_and_gives_staff_routes_the_principal()
    {
        // ADR 0006: the platform validates Entra ID tokens and sets X-MS-CLIENT-PRINCIPAL (stripping any a caller sends);
        // anonymous requests still reach the app, whose participant routes are anonymous and staff routes check roles.
        var auth = AuthSettings;
        ((bool)auth["platform"]!["enabled"]!).ShouldBeTrue("without the platform module anyone could send X-MS-CLIENT-PRINCIPAL");
        ((bool)auth["globalValidation"]!["requireAuthentication"]!).ShouldBeFalse();
        ((string)auth["globalValidation"]!["unauthenticatedClientAction"]!).ShouldBe("AllowAnonymous");
        ((bool)auth["httpSettings"]!["requireHttps"]!).ShouldBeTrue();

        auth["identityProviders"]!.AsObject().Select(p => p.Key).ShouldBe(["azureActiveDirectory"]);
        var entra = auth["identityProviders"]!["azureActiveDirectory"]!;
        ((bool)entra["enabled"]!).ShouldBeTrue();
        ((string)entra["registration"]!["clientId"]!).ShouldBe("[parameters('authClientId')]");
        ((string)entra["registration"]!["openIdIssuer"]!).ShouldBe("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('tenantId'))]");
        Strings(entra["validation"]!["allowedAudiences"]).ShouldBe(["[parameters('authClientId')]", "[format('api://{0}', parameters('authClientId'))]"], ignoreOrder: true);
        ((bool)auth["login"]!["tokenStore"]!["enabled"]!).ShouldBeFalse();

        var site = FunctionAppModule.One("Microsoft.Web/sites")["properties"]!;
        ((bool)site["httpsOnly"]!).ShouldBeTrue();
        ((string)site["siteConfig"]!["minTlsVersion"]!).ShouldBe("1.2");
        FunctionAppModule.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").Count.ShouldBe(2);
        FunctionAppModule.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ShouldAllBe(p => !(bool)p["properties"]!["allow"]!);
    }

    [Fact]
    public void The_deploy_guides_monthly_cost_counts_the_timer_runs_the_deployed_schedules_make()
    {
        // The schedules the template sets, counted over 30 days as the self-host's scheduler parses them.
        var schedules = AppSettings.Where(s => s.Key.EndsWith("Schedule", StringComparison.Ordinal)).ToDictionary(s => s.Key, s => (string?)s.Value!.ToString());
        var settings = new ConfigurationBuilder().AddInMemoryCollection(schedules).Build();
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var runs = schedules.Keys.Sum(name => Compliance.SelfHost.Binding.TimerFunctionScheduler.ParseSchedule($"%{name}%", settings)
            .GetOccurrences(from, from.AddDays(30), TimeZoneInfo.Utc, fromInclusive: true, toInclusive: false).Count());

        schedules.Count.ShouldBe(11, string.Join(", ", schedules.Keys));
        var stated = (Math.Round(runs / 1000.0) * 1000).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        var guide = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(Repository.Root, "docs", "deploy.md")), @"\s+", " ");
        guide.ShouldContain($"about **{stated} timer runs** a month", customMessage: $"{runs} runs a month");
    }

    [Fact]
    public void The_deploy_guides_monthly_cost_counts_the_always_ready_instance_the_template_keeps()
    {
        // The always-ready baseline is billed for every second of the month, at the rate the guide names.
        const decimal BaselinePerGbSecond = 0.000004m;
        var instances = (int)Main.Parameters["durableAlwaysReadyInstanceCount"]!["defaultValue"]!;
        var memoryGb = (int)Main.Parameters["instanceMemoryMB"]!["defaultValue"]! / 1024m;
        var gbSeconds = instances * memoryGb * 30 * 24 * 3600;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;

        var guide = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(Repository.Root, "docs", "deploy.md")), @"\s+", " ");
        guide.ShouldContain($"USD {BaselinePerGbSecond.ToString(invariant)} per GB-s baseline");
        guide.ShouldContain($"{gbSeconds.ToString("N0", invariant)} GB-s of baseline");
        guide.ShouldContain($"about USD {Math.Round(gbSeconds * BaselinePerGbSecond, 1).ToString("0.00", invariant)}");
    }

    [Fact]
    public void Role_assignments_have_deterministic_names_and_give_the_app_what_it_needs()
    {
        var assignments = Main.SelfAndModules.SelectMany(t => t.OfType("Microsoft.Authorization/roleAssignments")).ToList();

        assignments.ShouldNotBeEmpty();
        foreach (var assignment in assignments)
        {
            var name = (string)assignment["name"]!;
            name.ShouldStartWith("[guid(", customMessage: "role assignment names are guid(scope, principal, role)");
            name.ShouldContain("resourceId(");
            name.ShouldContain("PrincipalId')");
            name.ShouldContain("roles')");
            ((string)assignment["properties"]!["roleDefinitionId"]!).ShouldStartWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions'");
        }

        Main.Json.ToJsonString().ShouldNotContain("newGuid(");

        var rbac = Main.Module("role-assignments").Template;
        var roles = rbac.Variables["roles"]!;
        Strings(rbac.Variables["appStorageRoles"]).ShouldBe(
            [
                "[variables('roles').storageBlobDataOwner]", "[variables('roles').storageQueueDataContributor]",
                "[variables('roles').storageTableDataContributor]",
            ],
            ignoreOrder: true);
        ((string)roles["storageBlobDataOwner"]!).ShouldBe("b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
        ((string)roles["storageQueueDataContributor"]!).ShouldBe("974c5e8b-45b9-4653-ba55-5f855dd0fb88");
        ((string)roles["storageTableDataContributor"]!).ShouldBe("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3");
        ((string)roles["keyVaultSecretsUser"]!).ShouldBe("4633458b-17de-408a-b874-0445c86b69e6");
        ((string)roles["monitoringMetricsPublisher"]!).ShouldBe("3913510d-42f4-4e42-8a64-420c390055eb");

        var appRoles = assignments
            .Where(a => (string?)a["properties"]!["principalId"] == "[parameters('appPrincipalId')]")
            .Select(a => (string)a["properties"]!["roleDefinitionId"]!)
            .ToList();
        appRoles.ShouldContain(r => r.Contains("variables('appStorageRoles')[copyIndex()]", StringComparison.Ordinal));
        appRoles.ShouldContain(r => r.Contains("variables('roles').keyVaultSecretsUser", StringComparison.Ordinal));
        appRoles.ShouldContain(r => r.Contains("variables('roles').monitoringMetricsPublisher", StringComparison.Ordinal));
    }

    [Fact]
    public void The_first_administrator_and_DPO_may_be_groups_and_no_assignment_fixes_its_principal_type_to_a_user()
    {
        // A fixed principalType 'User' makes the assignment fail when the id is a group's (issue 18).
        var rbac = Main.Module("role-assignments");
        var assignments = rbac.Template.OfType("Microsoft.Authorization/roleAssignments").ToList();
        assignments.Select(a => (string?)a["properties"]!["principalType"]).ShouldNotContain("User");
        assignments.ShouldContain(a => (string?)a["properties"]!["principalType"] == "[parameters('adminPrincipalType')]");
        assignments.ShouldContain(a => (string?)a["properties"]!["principalType"] == "[parameters('dpoPrincipalType')]");
        Strings(Main.Json["parameters"]!["firstDpoPrincipalType"]!["allowedValues"]).ShouldBe(["User", "Group"]);
        Strings(Main.Json["parameters"]!["firstAdminPrincipalType"]!["allowedValues"]).ShouldBe(["User", "Group"]);
        ((string)rbac.Argument("adminPrincipalType")!).ShouldBe("[parameters('firstAdminPrincipalType')]");
        ((string)rbac.Argument("dpoPrincipalType")!).ShouldBe("[parameters('firstDpoPrincipalType')]");
    }

    [Fact]
    public void Role_assignments_wait_for_the_storage_vault_and_Application_Insights_they_are_scoped_to()
    {
        // The assignments reach those resources by name (existing), which ARM does not see; on a first azd up it would
        // otherwise start them before the resources exist, and they fail (issue 18).
        var rbac = Main.Module("role-assignments");
        rbac.DependsOnModules.ShouldContain("storage");
        rbac.DependsOnModules.ShouldContain("keyvault");
        rbac.DependsOnModules.ShouldContain("monitoring");
        rbac.DependsOnModules.ShouldContain("identity");

        // And each name is the one its module gave the resource.
        ((string)rbac.Argument("storageAccountName")!).ShouldBe((string)Main.Module("storage").Argument("name")!);
        ((string)rbac.Argument("keyVaultName")!).ShouldBe((string)Main.Module("keyvault").Argument("name")!);
        ((string)rbac.Argument("certificatesContainerName")!).ShouldBe((string)Main.Module("storage").Argument("certificatesContainerName")!);
        ((string)rbac.Argument("applicationInsightsName")!).ShouldBe((string)Main.Module("monitoring").Argument("applicationInsightsName")!);
    }

    [Fact]
    public void Application_Insights_and_Log_Analytics_accept_only_Entra_ID()
    {
        var monitoring = Main.Module("monitoring").Template;

        ((bool)monitoring.One("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!).ShouldBeTrue();
        ((bool)monitoring.One("Microsoft.Insights/components")["properties"]!["DisableIpMasking"]!).ShouldBeFalse();
        ((bool)monitoring.One("Microsoft.OperationalInsights/workspaces")["properties"]!["features"]!["disableLocalAuth"]!).ShouldBeTrue();
        ((string?)AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]).ShouldBe("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]");
    }

    [Fact]
    public void Key_Vault_uses_RBAC_with_purge_protection_and_the_app_reads_Graph_secrets_by_reference()
    {
        var vault = Main.Module("keyvault").Template.One("Microsoft.KeyVault/vaults")["properties"]!;

        ((bool)vault["enableRbacAuthorization"]!).ShouldBeTrue();
        ((bool)vault["enableSoftDelete"]!).ShouldBeTrue();
        ((bool)vault["enablePurgeProtection"]!).ShouldBeTrue();
        ((bool)vault["enabledForTemplateDeployment"]!).ShouldBeFalse();

        ((string?)AppSettings["Graph__ClientSecret"]).ShouldStartWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName=graph-client-secret)'");
        ((string?)AppSettings["Graph__ClientState"]).ShouldStartWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName=graph-client-state)'");
    }

    [Theory]
    [InlineData("request-overdue", "customMetrics", "compliance.requests.overdue")]
    [InlineData("email-failed", "customMetrics", "compliance.outbox.failed")]
    [InlineData("sweep-failed", "customMetrics", "compliance.sweep.failed")]
    [InlineData("sweep-waiting", "customMetrics", "compliance.sweep.waiting")]
    [InlineData("graph-subscription-expiring", "customMetrics", "compliance.graph.subscription.expires_in_hours")]
    [InlineData("function-failures", "requests", "success == false")]
    public void Each_alert_is_enabled_and_emails_the_action_group_and_the_deploy_guide_lists_it(string name, string table, string reads)
    {
        var alerts = Main.Module("alerts").Template;
        var defined = alerts.Variables["alerts"]!.AsArray().Select(a => a!.AsObject()).ToList();
        var alert = defined.SingleOrDefault(a => (string?)a["name"] == name);
        alert.ShouldNotBeNull($"no alert named {name}: {string.Join(", ", defined.Select(a => (string?)a["name"]))}");
        var query = (string)alert["query"]!;
        query.ShouldMatch($@"^(\[format\(')?{table}\n");
        query.ShouldContain(reads.Contains('.', StringComparison.Ordinal) ? $"where name == \"{reads}\"" : reads);
        ((string)alert["displayName"]!).ShouldStartWith("Compliance: ");

        // One rule per entry, each enabled, querying Application Insights and emailing the action group.
        var rule = alerts.One("Microsoft.Insights/scheduledQueryRules");
        ((string)rule["copy"]!["count"]!).ShouldBe("[length(variables('alerts'))]");
        ((string)rule["name"]!).ShouldContain("variables('alerts')[copyIndex()].name");
        var properties = rule["properties"]!;
        ((bool)properties["enabled"]!).ShouldBeTrue();
        Strings(properties["scopes"]).ShouldBe(["[parameters('applicationInsightsId')]"]);
        var criterion = properties["criteria"]!["allOf"]!.AsArray().Single()!;
        ((string)criterion["query"]!).ShouldBe("[variables('alerts')[copyIndex()].query]");
        ((string)criterion["timeAggregation"]!).ShouldBe("Count");
        ((string)criterion["operator"]!).ShouldBe("GreaterThan");
        ((int)criterion["threshold"]!).ShouldBe(0);
        var group = alerts.One("Microsoft.Insights/actionGroups");
        var groupName = ((string)group["name"]!).Trim('[', ']');
        Strings(properties["actions"]!["actionGroups"]).ShouldBe([$"[resourceId('Microsoft.Insights/actionGroups', {groupName})]"]);

        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "deploy.md"));
        guide.ShouldContain($"`{name}`", customMessage: "docs/deploy.md's list of alerts");
    }

    [Fact]
    public void The_alerts_action_group_emails_the_address_azd_is_given_and_queries_the_apps_Application_Insights()
    {
        var call = Main.Module("alerts");
        var group = call.Template.One("Microsoft.Insights/actionGroups")["properties"]!;
        ((bool)group["enabled"]!).ShouldBeTrue();
        var receiver = group["emailReceivers"]!.AsArray().Single()!;
        ((string)receiver["emailAddress"]!).ShouldBe("[parameters('alertEmail')]");
        ((string)call.Argument("alertEmail")!).ShouldBe("[parameters('alertEmail')]");
        Main.Parameters["alertEmail"]!.AsObject().ContainsKey("defaultValue").ShouldBeFalse("nobody would hear of an alert sent nowhere");
        using (var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "infra", "main.parameters.json")), Lenient))
        {
            parameters.RootElement.GetProperty("parameters").GetProperty("alertEmail").GetProperty("value").GetString().ShouldBe("${COMPLIANCE_ALERT_EMAIL}");
        }

        var scope = (string)call.Argument("applicationInsightsId")!;
        scope.ShouldContain("'Microsoft.Resources/deployments', 'monitoring')");
        scope.ShouldEndWith(".outputs.applicationInsightsId.value]");
        ((string)Main.Module("monitoring").Template.Outputs["applicationInsightsId"]!["value"]!).ShouldBe("[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]");
    }

    [Fact]
    public void Every_parameter_says_whether_it_is_required_and_required_ones_have_no_default()
    {
        foreach (var template in Main.SelfAndModules)
        {
            foreach (var (name, parameter) in template.Parameters)
            {
                var description = (string?)parameter!["metadata"]?["description"];
                description.ShouldNotBeNull($"{template.Path}: parameter '{name}' has no description");
                var optional = parameter.AsObject().ContainsKey("defaultValue");
                description.ShouldStartWith(optional ? "Optional." : "Required.", customMessage: $"{template.Path}: parameter '{name}'");
            }
        }
    }

    [Fact]
    public void Azd_supplies_every_required_parameter_of_main()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "infra", "main.parameters.json")), Lenient);
        var supplied = file.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        var required = Main.Parameters.Where(p => !p.Value!.AsObject().ContainsKey("defaultValue")).Select(p => p.Key).ToList();
        required.ShouldBe(["environmentName", "location", "mailboxAddress", "firstDpoPrincipalId", "firstAdminPrincipalId", "authClientId", "alertEmail"], ignoreOrder: true);
        required.ShouldAllBe(p => supplied.Contains(p), "main.parameters.json must map every required parameter to an azd environment value");
        supplied.ShouldAllBe(p => Main.Parameters.ContainsKey(p), "main.parameters.json names a parameter main.bicep does not have");
    }

    /// <summary>A compiled prefix: a literal, or format('{0}suffix', x) with x the task hub prefix or the deployment container.</summary>
    private static string PrefixFor(string compiled, string hub, string deploymentContainer)
    {
        var match = System.Text.RegularExpressions.Regex.Match(compiled, @"^\[format\('\{0\}(?<suffix>[^']*)', (?<argument>[^)]+\)?)\)\]$");
        if (!compiled.StartsWith('['))
        {
            return compiled;
        }

        match.Success.ShouldBeTrue($"an expression this test does not read: {compiled}");
        var value = match.Groups["argument"].Value switch
        {
            "variables('taskHubContainerPrefix')" => hub.ToLowerInvariant(),
            "parameters('deploymentContainerName')" => deploymentContainer,
            var other => throw new InvalidOperationException($"An argument this test does not read: {other}"),
        };
        return value + match.Groups["suffix"].Value;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : throw new InvalidOperationException($"Not an array: {node?.ToJsonString()}");
}
