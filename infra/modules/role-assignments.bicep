metadata description = 'Azure RBAC: what the app\'s managed identity, the first administrator, the first DPO and the deploying user may do. Every assignment is named guid(scope, principal, role), so a redeployment finds the same one.'

@description('Required. The storage account the app uses.')
param storageAccountName string

@description('Required. The container of deletion certificates, which the first DPO may read directly.')
param certificatesContainerName string

@description('Required. The Key Vault holding the Graph secrets.')
param keyVaultName string

@description('Required. The Application Insights component the app sends telemetry to.')
param applicationInsightsName string

@description('Required. The principal (object) id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Required. The object id of the first administrator, who may set and rotate the Graph secrets.')
param adminPrincipalId string

@description('Required. The object id of the first data protection officer, who may read deletion certificates in storage, independently of the app.')
param dpoPrincipalId string

@description('Optional. The kind of principal adminPrincipalId is: a user, or a group of administrators.')
@allowed([
  'User'
  'Group'
])
param adminPrincipalType string = 'User'

@description('Optional. The kind of principal dpoPrincipalId is: a user, or a group (the DPO\'s office).')
@allowed([
  'User'
  'Group'
])
param dpoPrincipalType string = 'User'

@description('Optional. The object id of the identity running the deployment (azd\'s AZURE_PRINCIPAL_ID), so that the setup script can store the Graph secrets. Empty, or the administrator: nothing more is assigned.')
param deployerPrincipalId string = ''

@description('Optional. The kind of principal deployerPrincipalId is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// What the app needs on its storage: blobs (Durable leases, the app's containers, the deployment package), queues
// (Durable control and work-item queues) and tables (Durable history and instances, the app's tables).
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

resource certificatesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: certificatesContainerName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Key Vault references: read secret values, nothing else.
resource appVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry with an Entra ID token, as Application Insights has local authentication disabled.
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource adminVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, adminPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: adminPrincipalId
    principalType: adminPrincipalType
  }
}

resource deployerVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId) && deployerPrincipalId != adminPrincipalId) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// Certificates hold no personal data; the DPO can list and read them with their own identity, to check what the app says.
resource dpoCertificates 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(certificatesContainer.id, dpoPrincipalId, roles.storageBlobDataReader)
  scope: certificatesContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: dpoPrincipalId
    principalType: dpoPrincipalType
  }
}
