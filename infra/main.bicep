targetScope = 'subscription'

metadata name = 'Compliance'
metadata description = 'Everything the Compliance app runs on in Azure: a Flex Consumption Function App with a user-assigned managed identity, its storage (Entra ID only), Key Vault, Application Insights with Log Analytics, and App Service Authentication with Entra ID. Deployed with the Azure Developer CLI (azd up); see docs/deploy.md.'

// ---------------------------------------------------------------------------------------------------------------------
// Parameters (main.parameters.json maps them to azd environment variables)
// ---------------------------------------------------------------------------------------------------------------------

@description('Required. The azd environment name (AZURE_ENV_NAME). Names the resource group and seeds the token in every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. The Azure region of every resource (AZURE_LOCATION). It must offer Flex Consumption; uksouth keeps the data in the UK.')
@minLength(1)
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Required. The research mailbox (COMPLIANCE_MAILBOX_ADDRESS), e.g. MPATI@natcen.ac.uk: the sender of every email, where replies go, and the mailbox the Graph connector reads.')
@minLength(3)
param mailboxAddress string

@description('Required. The Entra ID object id of the first data protection officer (COMPLIANCE_FIRST_DPO_PRINCIPAL_ID). The postprovision script gives them the Dpo app role; this template lets them read deletion certificates in storage.')
@minLength(36)
@maxLength(36)
param firstDpoPrincipalId string

@description('Required. The Entra ID object id of the first administrator (COMPLIANCE_FIRST_ADMIN_PRINCIPAL_ID). The postprovision script gives them the Admin app role; this template lets them set and rotate the Graph secrets in Key Vault.')
@minLength(36)
@maxLength(36)
param firstAdminPrincipalId string

@description('Required. The application (client) id of the Entra ID app registration that App Service Authentication accepts tokens for (AZURE_AUTH_CLIENT_ID). infra/scripts/create-app-registration.sh creates it (the azd preprovision hook).')
@minLength(36)
@maxLength(36)
param authClientId string

@description('Required. The email address the deployment\'s alerts go to (COMPLIANCE_ALERT_EMAIL): a shared mailbox or distribution list of whoever runs it. docs/deploy.md lists the alerts.')
@minLength(3)
param alertEmail string

@description('Optional. The application (client) id of the Entra ID app registration the mailbox connector uses with Microsoft Graph (GRAPH_CLIENT_ID). Empty until the Exchange Online steps of docs/deploy.md are done.')
param graphClientId string = ''

@description('Optional. The kind of principal firstAdminPrincipalId is: User, or Group for a group of administrators (COMPLIANCE_FIRST_ADMIN_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'Group'
])
param firstAdminPrincipalType string = 'User'

@description('Optional. The kind of principal firstDpoPrincipalId is: User, or Group for the DPO\'s office (COMPLIANCE_FIRST_DPO_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'Group'
])
param firstDpoPrincipalType string = 'User'

@description('Optional. The object id of whoever runs the deployment (azd sets AZURE_PRINCIPAL_ID), given Key Vault Secrets Officer so that infra/scripts/set-graph-secrets.sh can store the Graph secrets. Empty: nobody but the first administrator.')
param principalId string = ''

@description('Optional. The kind of principal principalId is (AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Optional. The Durable task hub name (host.json reads it as %DurableTaskHubName%). Letters and digits, 3 to 45 characters.')
@minLength(3)
@maxLength(45)
param durableTaskHubName string = 'ComplianceHub'

@description('Optional. Days a deleted blob, version or snapshot stays recoverable (soft delete). Deletion certificates state it: after this window deleted data is unrecoverable.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionDays int = 7

@description('Optional. Days a deleted container stays recoverable (soft delete).')
@minValue(1)
@maxValue(365)
param containerSoftDeleteRetentionDays int = 7

@description('Optional. Previous blob versions (kept by versioning on every overwrite or delete) older than this many days are deleted by the lifecycle policy, then stay soft-deleted for blobSoftDeleteRetentionDays.')
@minValue(1)
@maxValue(365)
param previousVersionRetentionDays int = 7

@description('Optional. Days each deletion certificate is immutable (cannot be overwritten or deleted) from its creation. The default, six years, is the limitation period for most claims in England and Wales.')
@minValue(1)
@maxValue(146000)
param certificateImmutabilityDays int = 2190

@description('Optional. True once the DPO has locked the certificates\' or the audit anchors\' immutability policy (docs/deploy.md, first-run checklist): the template then leaves both policies as they are, since a locked policy refuses every redeployment and azd provision would fail (COMPLIANCE_IMMUTABILITY_POLICIES_LOCKED). Never true before they are locked: the containers would get no policy.')
param immutabilityPoliciesLocked bool = false

@description('Optional. Safety net: blobs in mail-outbox older than this many days are deleted by the lifecycle policy even if the retention sweep has not deleted them.')
@minValue(1)
param mailOutboxRetentionDays int = 365

@description('Optional. Safety net: access-request exports older than this many days are deleted by the lifecycle policy.')
@minValue(1)
param exportRetentionDays int = 30

@description('Optional. Days a deleted Key Vault or secret stays recoverable; purge protection is on, so nobody can shorten it.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionDays int = 90

@description('Optional. Days Log Analytics keeps telemetry, blob delete logs and Key Vault audit events.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Optional. The storage account\'s replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSkuName string = 'Standard_ZRS'

@description('Optional. The most instances the Function App scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Instances kept running for the Durable Functions triggers (the Flex Consumption always-ready count of the durable group), billed all month whether busy or not (docs/deploy.md, cost). One is what Microsoft recommends for Durable Functions on Flex Consumption: without it, after a quiet spell, a workflow step waits for an instance to start. 0 saves the cost and lets steps wait (COMPLIANCE_DURABLE_ALWAYS_READY_INSTANCES).')
@minValue(0)
param durableAlwaysReadyInstanceCount int = 1

@description('Optional. Memory per Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// ---------------------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'compliance'
}

// Every table and container of StorageLayout (functions/Compliance.Core/Storage/StorageLayout.cs); a test keeps them equal.
var storageLayout = {
  tables: [
    'Studies'
    'Participants'
    'Sessions'
    'Artifacts'
    'Requests'
    'Tasks'
    'Holds'
    'Suppliers'
    'AuditLog'
    'Disclosures'
    'MailConnector'
    'RateLimits'
  ]
  containers: [
    'recordings'
    'transcripts'
    'notes'
    'anonymised-transcripts'
    'mail-inbound'
    'mail-outbox'
    'exports'
    'redaction-logs'
    'certificates'
    'audit-anchors'
    'keys'
  ]
}

var certificatesContainerName = 'certificates'
var auditAnchorsContainerName = 'audit-anchors'

var names = {
  identity: 'id-api-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-api-${resourceToken}'
  actionGroup: 'ag-${resourceToken}'
  alerts: 'alert-${resourceToken}'
}

// Flex Consumption deploys the app package to a blob container; the app's identity reads it.
var deploymentContainerName = 'app-package'

// ---------------------------------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------------------------------

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: names.storage
    location: location
    skuName: storageSkuName
    containerNames: storageLayout.containers
    deploymentContainerName: deploymentContainerName
    durableTaskHubName: durableTaskHubName
    tableNames: storageLayout.tables
    certificatesContainerName: certificatesContainerName
    auditAnchorsContainerName: auditAnchorsContainerName
    safetyNetRetentionDays: {
      'mail-outbox': mailOutboxRetentionDays
      exports: exportRetentionDays
    }
    blobSoftDeleteRetentionDays: blobSoftDeleteRetentionDays
    containerSoftDeleteRetentionDays: containerSoftDeleteRetentionDays
    previousVersionRetentionDays: previousVersionRetentionDays
    certificateImmutabilityDays: certificateImmutabilityDays
    immutabilityPoliciesLocked: immutabilityPoliciesLocked
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: resourceGroup
  params: {
    name: names.keyVault
    location: location
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionDays
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    tags: tags
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: resourceGroup
  params: {
    storageAccountName: names.storage
    certificatesContainerName: certificatesContainerName
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    // Known only once the identity exists, so What-If cannot predict these assignments' names; the deployment can.
    #disable-next-line what-if-short-circuiting
    appPrincipalId: identity.outputs.principalId
    adminPrincipalId: firstAdminPrincipalId
    dpoPrincipalId: firstDpoPrincipalId
    adminPrincipalType: firstAdminPrincipalType
    dpoPrincipalType: firstDpoPrincipalType
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
  // The assignments name the storage account (and its certificates container), the vault and Application Insights by
  // name, which ARM cannot see as a dependency: without this it may start them before those exist, and a first azd up
  // fails. Explicit, rather than passing the modules' outputs, so that What-If can still predict the assignments.
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: resourceGroup
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    keyVaultName: keyVault.outputs.name
    authClientId: authClientId
    tenantId: tenant().tenantId
    mailboxAddress: mailboxAddress
    graphClientId: graphClientId
    durableTaskHubName: durableTaskHubName
    storageProtection: {
      blobSoftDeleteRetentionDays: blobSoftDeleteRetentionDays
      containerSoftDeleteRetentionDays: containerSoftDeleteRetentionDays
      previousVersionRetentionDays: previousVersionRetentionDays
      certificateImmutabilityDays: certificateImmutabilityDays
    }
    runtimeVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
    durableAlwaysReadyInstanceCount: durableAlwaysReadyInstanceCount
    instanceMemoryMB: instanceMemoryMB
    tags: tags
  }
  // The app starts as soon as it exists: its identity must already reach storage, Key Vault and Application Insights.
  dependsOn: [
    roleAssignments
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: resourceGroup
  params: {
    actionGroupName: names.actionGroup
    alertNamePrefix: names.alerts
    location: location
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
    tags: tags
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment; the hooks and docs/deploy.md read them)
// ---------------------------------------------------------------------------------------------------------------------

@description('The region everything was deployed to.')
output AZURE_LOCATION string = location

@description('The Entra ID tenant.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('The resource group.')
output AZURE_RESOURCE_GROUP string = resourceGroup.name

@description('The Function App\'s name.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The API\'s base URL; every route is under /api.')
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'

@description('The storage account\'s name.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('The Key Vault\'s name (set-graph-secrets.sh writes to it).')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('The Durable task hub name.')
output DURABLE_TASK_HUB_NAME string = durableTaskHubName

@description('Deletion certificates: days a deleted blob, version or snapshot stays recoverable.')
output STORAGE_BLOB_SOFT_DELETE_RETENTION_DAYS int = blobSoftDeleteRetentionDays

@description('Deletion certificates: days a deleted container stays recoverable.')
output STORAGE_CONTAINER_SOFT_DELETE_RETENTION_DAYS int = containerSoftDeleteRetentionDays

@description('Deletion certificates: blob versioning is on.')
output STORAGE_BLOB_VERSIONING_ENABLED bool = true

@description('Deletion certificates: previous versions are deleted once older than this many days.')
output STORAGE_PREVIOUS_VERSION_RETENTION_DAYS int = previousVersionRetentionDays

@description('Deletion certificates: days each certificate is immutable.')
output STORAGE_CERTIFICATE_IMMUTABILITY_DAYS int = certificateImmutabilityDays
