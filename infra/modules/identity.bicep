metadata description = 'The user-assigned managed identity the Function App uses for storage, Key Vault and Application Insights.'

@description('Required. The identity\'s name.')
param name string

@description('Required. The Azure region.')
param location string

@description('Optional. Tags for the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('The identity\'s resource id (for the Function App and its deployment storage).')
output resourceId string = identity.id

@description('The identity\'s client id (for AzureWebJobsStorage__clientId and the Application Insights authentication string).')
output clientId string = identity.properties.clientId

@description('The identity\'s principal (object) id (for role assignments).')
output principalId string = identity.properties.principalId

@description('The identity\'s name.')
output name string = identity.name
