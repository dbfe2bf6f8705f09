metadata description = 'The storage account of the app, its data and the Durable task hub: Entra ID only (no shared keys), TLS 1.2, no public blobs, every table and container of StorageLayout, blob versioning and soft delete, an immutable certificates container, and lifecycle rules as a safety net.'

@description('Required. The storage account\'s name (3 to 24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. The Azure region.')
param location string

@description('Required. The blob containers of the app\'s data: every container of StorageLayout.')
param containerNames string[]

@description('Required. The blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Required. The Durable task hub name: its blob containers (<hub>-leases, <hub>-applease, <hub>-largemessages, in lower case) get the previous-versions lifecycle rule.')
param durableTaskHubName string

@description('Required. The tables to create: every table of StorageLayout.')
param tableNames string[]

@description('Required. The container deletion certificates are written to; it gets the time-based immutability policy.')
param certificatesContainerName string

@description('Required. The container the audit chains\' heads are anchored in (write-once, like the certificates); it gets the same time-based immutability policy.')
param auditAnchorsContainerName string

@description('Required. Containers whose blobs the lifecycle policy deletes after a number of days, as a safety net behind the app\'s own deletion: container name to days after creation.')
param safetyNetRetentionDays object

@description('Optional. The replication of the account. Zone-redundant by default: three copies in three zones of the region, so personal data stays in the region.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param skuName string = 'Standard_ZRS'

@description('Optional. Days a deleted blob (and a deleted version or snapshot) stays recoverable. Deletion certificates state this window: after it, deleted data is unrecoverable.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionDays int = 7

@description('Optional. Days a deleted container stays recoverable.')
@minValue(1)
@maxValue(365)
param containerSoftDeleteRetentionDays int = 7

@description('Optional. A previous blob version (the content before an overwrite or delete) is deleted by the lifecycle policy once it is older than this many days; it then stays soft-deleted for blobSoftDeleteRetentionDays.')
@minValue(1)
@maxValue(365)
param previousVersionRetentionDays int = 7

@description('Optional. Days every blob in the certificates and audit-anchors containers is kept immutable (no overwrite, no delete) from its creation.')
@minValue(1)
@maxValue(146000)
param certificateImmutabilityDays int = 2190

@description('Optional. True once the immutability policies have been locked: they are then left out of the template, as ARM refuses to redeploy a locked policy. A locked policy\'s period can only be lengthened, with az storage container immutability-policy extend.')
param immutabilityPoliciesLocked bool = false

@description('Required. The Log Analytics workspace that receives blob delete logs (an independent record of every deletion).')
param logAnalyticsWorkspaceId string

@description('Optional. Tags for the resources.')
param tags object = {}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    // Entra ID (RBAC) only: no account keys, no SAS signed with them, no local SFTP users.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    isLocalUserEnabled: false
    isSftpEnabled: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Reached over its public endpoint (Flex Consumption without a virtual network); every request needs an Entra ID token
    // with a data role on the account. ADR 0007 says why there are no private endpoints.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    dnsEndpointType: 'Standard'
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteRetentionDays
      // Nobody, the app included, can skip the soft-delete window that the certificates state.
      allowPermanentDelete: false
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteRetentionDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in containerNames: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource certificatesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: certificatesContainerName
}

// Time-based retention (WORM) on the certificates container: a certificate cannot be overwritten or deleted until it is
// certificateImmutabilityDays old. Deployed unlocked, so it can still be changed while the deployment is being tried out;
// docs/deploy.md says how to lock it, which is irreversible. Once locked, a PUT of the policy fails, so the template stops
// deploying it (immutabilityPoliciesLocked) and the locked policy stays as the DPO left it.
resource certificatesImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = if (!immutabilityPoliciesLocked) {
  parent: certificatesContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: certificateImmutabilityDays
    allowProtectedAppendWrites: false
    allowProtectedAppendWritesAll: false
  }
  dependsOn: [
    containers
  ]
}

resource auditAnchorsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: auditAnchorsContainerName
}

// The same on the audit anchors: a chain's head, once anchored, cannot be changed or removed, so a chain rewritten in the
// table afterwards is found by GET /api/audit/verify (docs/audit.md). Unlocked like the certificates' policy, and left
// alone like it once locked.
resource auditAnchorsImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = if (!immutabilityPoliciesLocked) {
  parent: auditAnchorsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: certificateImmutabilityDays
    allowProtectedAppendWrites: false
    allowProtectedAppendWritesAll: false
  }
  dependsOn: [
    containers
  ]
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for table in tableNames: {
    parent: tableService
    name: table
  }
]

// The Durable Functions backend creates its own queues; the service is declared so that nothing else needs to.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

// One rule per safety-net container: base blobs, their versions and snapshots, all by age.
var safetyNetRules = map(objectKeys(safetyNetRetentionDays), container => {
  name: 'safety-net-${container}'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: [
        'blockBlob'
      ]
      prefixMatch: [
        '${container}/'
      ]
    }
    actions: {
      baseBlob: {
        delete: {
          daysAfterCreationGreaterThan: safetyNetRetentionDays[container]
        }
      }
      version: {
        delete: {
          daysAfterCreationGreaterThan: safetyNetRetentionDays[container]
        }
      }
      snapshot: {
        delete: {
          daysAfterCreationGreaterThan: safetyNetRetentionDays[container]
        }
      }
    }
  }
})

// Previous versions everywhere except the immutable certificates and anchors (never overwritten), so that versioning cannot
// keep erased data beyond a known bound. A rule takes at most 10 prefixes, so the app's containers have one rule and the
// platform's another.
var previousVersionsRule = {
  name: 'previous-versions'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: [
        'blockBlob'
      ]
      prefixMatch: map(filter(containerNames, container => container != certificatesContainerName && container != auditAnchorsContainerName), container => '${container}/')
    }
    actions: {
      version: {
        delete: {
          daysAfterCreationGreaterThan: previousVersionRetentionDays
        }
      }
    }
  }
}

// The containers the platform writes to: the Functions host's (timer schedule status and locks, host keys), the Durable
// task hub's (partition and app leases; large messages, which hold orchestration and activity payloads and so personal
// data) and the app package. Their blobs are overwritten all the time, and without this rule every old version would stay
// for ever, beyond the bound the deletion certificates state.
var taskHubContainerPrefix = toLower(durableTaskHubName)
var previousVersionsPlatformRule = {
  name: 'previous-versions-platform'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: {
      blobTypes: [
        'blockBlob'
      ]
      prefixMatch: [
        'azure-webjobs-hosts/'
        'azure-webjobs-secrets/'
        '${taskHubContainerPrefix}-leases/'
        '${taskHubContainerPrefix}-applease/'
        '${taskHubContainerPrefix}-largemessages/'
        '${deploymentContainerName}/'
      ]
    }
    actions: {
      version: {
        delete: {
          daysAfterCreationGreaterThan: previousVersionRetentionDays
        }
      }
    }
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: concat(safetyNetRules, [previousVersionsRule, previousVersionsPlatformRule])
    }
  }
  dependsOn: [
    containers
  ]
}

// Blob deletions only: an independent, append-only record of what was deleted and when, at a few log rows per deletion.
// Reads and writes (and the Durable backend's queue and table polling) are not logged, which would cost far more.
// 2021-05-01-preview is the newest version of diagnosticSettings.
#disable-next-line use-recent-api-versions
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'blob-deletes'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

@description('The storage account\'s name.')
output name string = storage.name

@description('The storage account\'s resource id.')
output resourceId string = storage.id

@description('The blob service endpoint (AzureWebJobsStorage__blobServiceUri).')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('The queue service endpoint (AzureWebJobsStorage__queueServiceUri).')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('The table service endpoint (AzureWebJobsStorage__tableServiceUri).')
output tableEndpoint string = storage.properties.primaryEndpoints.table
