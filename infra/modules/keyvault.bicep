metadata description = 'The Key Vault for the Microsoft Graph credentials and the Graph clientState: Azure RBAC (no access policies), soft delete and purge protection. Secret values are set by infra/scripts/set-graph-secrets.sh, never by a template.'

@description('Required. The vault\'s name (3 to 24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. The Azure region.')
param location string

@description('Optional. Days a deleted vault or secret stays recoverable. Purge protection means nobody can shorten this.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Required. The Log Analytics workspace that receives the vault\'s audit events (every secret read).')
param logAnalyticsWorkspaceId string

@description('Optional. Tags for the resources.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // Key Vault references are resolved from the Function App over the public endpoint (no virtual network); every call
    // needs an Entra ID token with a data role on the vault (ADR 0007).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// 2021-05-01-preview is the newest version of diagnosticSettings.
#disable-next-line use-recent-api-versions
resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

@description('The vault\'s name.')
output name string = vault.name

@description('The vault\'s resource id.')
output resourceId string = vault.id

@description('The vault\'s URI.')
output uri string = vault.properties.vaultUri
