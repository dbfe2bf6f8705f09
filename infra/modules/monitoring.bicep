metadata description = 'Log Analytics and workspace-based Application Insights with local (key) authentication disabled: telemetry is accepted only from Entra ID identities.'

@description('Required. The Log Analytics workspace\'s name.')
param logAnalyticsName string

@description('Required. The Application Insights component\'s name.')
param applicationInsightsName string

@description('Required. The Azure region.')
param location string

@description('Optional. Days Log Analytics keeps data; 30 days is included in the ingestion price.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Optional. Tags for the resources.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      // Agents and queries must use Entra ID, not the workspace's shared keys.
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // The instrumentation key in the connection string is then only an address: ingestion needs an Entra ID token
    // (APPLICATIONINSIGHTS_AUTHENTICATION_STRING with the managed identity and Monitoring Metrics Publisher).
    DisableLocalAuth: true
    // Keep the default: client IP addresses are zeroed before storage, so participants' addresses are not kept.
    DisableIpMasking: false
    IngestionMode: 'LogAnalytics'
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('The Log Analytics workspace\'s resource id (for diagnostic settings).')
output workspaceId string = workspace.id

@description('The Application Insights component\'s resource id (the scope of the alert rules).')
output applicationInsightsId string = applicationInsights.id

@description('The Application Insights component\'s name.')
output applicationInsightsName string = applicationInsights.name

@description('The Application Insights connection string. Not a credential: local authentication is disabled.')
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
