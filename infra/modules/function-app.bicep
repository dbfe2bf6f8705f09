metadata description = 'The Function App on the Flex Consumption plan (.NET isolated) with a user-assigned managed identity, identity-based storage connections, Key Vault references and App Service Authentication with Microsoft Entra ID.'

@description('Required. The Function App\'s name (also its default host name).')
param name string

@description('Required. The Flex Consumption plan\'s name.')
param planName string

@description('Required. The Azure region.')
param location string

@description('Required. The user-assigned managed identity\'s resource id.')
param identityResourceId string

@description('Required. The user-assigned managed identity\'s client id.')
param identityClientId string

@description('Required. The storage account\'s blob endpoint, ending in a slash.')
param storageBlobEndpoint string

@description('Required. The storage account\'s queue endpoint.')
param storageQueueEndpoint string

@description('Required. The storage account\'s table endpoint.')
param storageTableEndpoint string

@description('Required. The blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Required. The Application Insights connection string (an address, not a credential: local authentication is disabled).')
param applicationInsightsConnectionString string

@description('Required. The Key Vault holding the Graph secrets, read through Key Vault references.')
param keyVaultName string

@description('Required. The application (client) id of the Entra ID app registration that App Service Authentication validates tokens for.')
param authClientId string

@description('Required. The Entra ID tenant of the app registrations and the staff.')
param tenantId string

@description('Required. The research mailbox: the sender of every email and the mailbox the Graph connector reads.')
param mailboxAddress string

@description('Optional. The application (client) id of the Entra ID app registration the mailbox connector uses with Microsoft Graph. Empty until it exists.')
param graphClientId string = ''

@description('Optional. The Durable task hub name (host.json reads it as %DurableTaskHubName%).')
param durableTaskHubName string = 'ComplianceHub'

@description('Required. The storage protection that deletion certificates state: blob soft-delete days, container soft-delete days, previous-version days, certificate immutability days.')
param storageProtection {
  blobSoftDeleteRetentionDays: int
  containerSoftDeleteRetentionDays: int
  previousVersionRetentionDays: int
  certificateImmutabilityDays: int
}

@description('Optional. The .NET isolated worker version (functionAppConfig.runtime.version).')
param runtimeVersion string = '10.0'

@description('Optional. The most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Always-ready instances of the durable group (orchestration, activity and entity triggers).')
@minValue(0)
param durableAlwaysReadyInstanceCount int = 1

@description('Optional. Memory per instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Tags for the resources; the Function App also gets azd-service-name.')
param tags object = {}

@description('Optional. The azd service this app hosts (azure.yaml).')
param serviceName string = 'api'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    // Key Vault references are resolved with the user-assigned identity (it has Key Vault Secrets User on the vault).
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Durable Functions on Flex Consumption: an instance that is always running for the durable group keeps polling
        // the task hub's queues, so a workflow step does not wait for the scale controller to start one (Microsoft's
        // recommendation for the Azure Storage provider on this plan, with maxQueuePollingInterval of 10 s in host.json).
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: durableAlwaysReadyInstanceCount
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }
}

// Every setting the app reads (local.settings.sample.json), in Azure form. FUNCTIONS_WORKER_RUNTIME is not an app setting
// on Flex Consumption (functionAppConfig.runtime above), and AzureWebJobsStorage is identity-based: service URIs, the
// managed identity as credential, its client id. No setting holds a key or a connection string to storage.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // Azure.Identity's DefaultAzureCredential uses this identity too.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    DurableTaskHubName: durableTaskHubName
    PurgeHistorySchedule: '0 30 2 * * *'
    HistoryPurge__PurgeAfterDays: '30'
    MailCatchUpSchedule: '0 */5 * * * *'
    WatchdogSchedule: '0 */5 * * * *'
    Watchdog__StalledAfter: '00:30:00'
    Telemetry__MetricsRefreshInterval: '00:01:00'
    RetentionSweepSchedule: '0 0 3 * * *'
    SupplierCheckSchedule: '0 0 6 * * *'
    Suppliers__LinkValidFor: '04:00:00'
    RetentionWarningSchedule: '0 0 7 * * *'
    Retention__BatchSize: '200'
    Retention__MaxParallelBatches: '4'
    Retention__MaxParallelDeletesPerBatch: '16'
    Safeguarding__HoldReviewAfter: '30.00:00:00'
    Safeguarding__ReviewDueAfter: '2.00:00:00'
    Intake__StudyId: 'MPATI'
    // Links in answers (a request's statusUrl) use this address, never the caller's Host header.
    Http__PublicBaseUrl: 'https://${site.properties.defaultHostName}'
    Intake__MaxAcceptedBytes: '104857600'
    Intake__MaxMessageBytes: '36700160'
    Intake__TaskDueAfter: '2.00:00:00'
    Intake__CatchUpWindow: '7.00:00:00'
    Intake__RelayKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=mail-relay-key)'
    // The outbox sender sends through Microsoft Graph sendMail from the research mailbox (docs/emails.md); SMTP is unused here.
    OutboxSendSchedule: '*/30 * * * * *'
    Mail__Transport: 'graph'
    Outbox__MaxAttempts: '8'
    Outbox__FirstRetryAfter: '00:01:00'
    Outbox__MaxRetryAfter: '01:00:00'
    Outbox__SendTimeout: '00:02:00'
    Outbox__ClaimTimeout: '00:10:00'
    Outbox__MaxParallelSends: '4'
    Outbox__PageSize: '100'
    Outbox__FailedTaskDueAfter: '1.00:00:00'
    Smtp__Host: ''
    Smtp__Port: '587'
    Smtp__Security: 'starttls'
    Smtp__UserName: ''
    Smtp__Password: ''
    Mail__FromAddress: mailboxAddress
    Mail__MessageIdDomain: ''
    Http__MaxJsonBodyBytes: '65536'
    // App Service's front end appends the address it was reached from to X-Forwarded-For; rate limits count by that last
    // entry, never by what a caller wrote before it (docs/security.md).
    Http__ClientAddressHeader: 'X-Forwarded-For'
    // The Functions host forwards each request to the worker with X-Forwarded-For set to the address it was reached from;
    // with this, that is the last address App Service's front end appended (the caller), not the front end's own.
    ASPNETCORE_FORWARDEDHEADERS_ENABLED: 'true'
    RateLimits__Enabled: 'true'
    RateLimits__Submissions__Enabled: 'true'
    RateLimits__Submissions__Limit: '10'
    RateLimits__Submissions__Window: '00:10:00'
    RateLimits__SubmissionsPerEmail__Enabled: 'true'
    RateLimits__SubmissionsPerEmail__Limit: '3'
    RateLimits__SubmissionsPerEmail__Window: '01:00:00'
    RateLimits__CodeAttempts__Enabled: 'true'
    RateLimits__CodeAttempts__Limit: '30'
    RateLimits__CodeAttempts__Window: '00:10:00'
    RateLimits__StorageTimeout: '00:00:05'
    RateLimitPurgeSchedule: '0 20 * * * *'
    AuditAnchorSchedule: '0 50 * * * *'
    Policies__Directory: 'policies'
    Artifacts__Kinds__recording__MaxBytes: '524288000'
    Artifacts__Kinds__recording__ContentTypes: 'audio/mpeg,audio/wav,audio/x-wav,audio/mp4,audio/x-m4a,audio/ogg'
    Artifacts__Kinds__transcript__MaxBytes: '20971520'
    Artifacts__Kinds__transcript__ContentTypes: 'text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    Artifacts__Kinds__notes__MaxBytes: '20971520'
    Artifacts__Kinds__notes__ContentTypes: 'text/plain,text/markdown,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '524288000'
    // For the mailbox connector (docs/deploy.md, Exchange Online): the app registration it signs in as, the mailbox, and
    // from Key Vault its client secret and the clientState that Graph change notifications must carry.
    Graph__TenantId: tenantId
    Graph__ClientId: graphClientId
    Graph__Mailbox: mailboxAddress
    Graph__ClientSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=graph-client-secret)'
    Graph__ClientState: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=graph-client-state)'
    // The connector signs in with the client secret above; a certificate file or the app's managed identity are the
    // alternatives (docs/mailbox.md). Graph sends change notifications to the app's own webhook.
    Graph__CertificatePath: ''
    Graph__UseManagedIdentity: 'false'
    Graph__NotificationUrl: 'https://${site.properties.defaultHostName}/api/mail/graph-notifications'
    Graph__BaseUrl: 'https://graph.microsoft.com/v1.0'
    GraphSubscriptionSchedule: '0 7 * * * *'
    GraphDeltaSchedule: '0 */15 * * * *'
    // What the storage keeps after a deletion, for the deletion certificates to state (the same values as the storage).
    StorageProtection__BlobVersioning: 'true'
    StorageProtection__BlobSoftDeleteRetentionDays: string(storageProtection.blobSoftDeleteRetentionDays)
    StorageProtection__ContainerSoftDeleteRetentionDays: string(storageProtection.containerSoftDeleteRetentionDays)
    StorageProtection__PreviousVersionRetentionDays: string(storageProtection.previousVersionRetentionDays)
    StorageProtection__CertificateImmutabilityDays: string(storageProtection.certificateImmutabilityDays)
  }
}

// App Service Authentication (ADR 0006). The platform validates Entra ID tokens and sets X-MS-CLIENT-PRINCIPAL from them,
// and strips any X-MS-CLIENT-PRINCIPAL* header a caller sends, so the app can trust the header. Requests without a token
// still reach the app (participants' routes are anonymous); staff routes answer 401 without the principal and 403
// without the role, in the app's one authorization check.
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
          clientId: authClientId
        }
        validation: {
          // v2 access tokens carry the client id as audience, v1 tokens the identifier URI.
          allowedAudiences: [
            authClientId
            'api://${authClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        // The app never reads provider tokens, so none are kept.
        enabled: false
      }
    }
  }
  dependsOn: [
    appSettings
  ]
}

// No publishing with user names and passwords: azd deploys with an Entra ID token.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('The Function App\'s name.')
output name string = site.name

@description('The Function App\'s default host name.')
output defaultHostName string = site.properties.defaultHostName
