metadata description = 'Alerts for whoever runs the deployment: an action group that emails one address, and log search alert rules on Application Insights for what needs a person: a request past its deadline, an email that failed for good, a retention sweep that failed or waits too long for a supplier, the Graph subscription close to expiring, and failed function invocations.'

@description('Required. The action group\'s name.')
param actionGroupName string

@description('Required. Prefixes every alert rule\'s name (the rule\'s own name follows, e.g. <prefix>-request-overdue).')
param alertNamePrefix string

@description('Required. The Azure region of the alert rules (that of Application Insights).')
param location string

@description('Required. The resource id of the Application Insights component the app sends telemetry to; every rule queries it.')
param applicationInsightsId string

@description('Required. The address every alert is emailed to: a shared mailbox or distribution list of the people who run the deployment.')
@minLength(3)
param alertEmail string

@description('Optional. The Graph subscription alert fires when the subscription has fewer hours than this left. The connector renews it with two days left, so under a day means a day of renewals has failed.')
@minValue(1)
@maxValue(160)
param graphSubscriptionMinHours int = 24

@description('Optional. Tags for the resources.')
param tags object = {}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  // Action groups are global resources.
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'compliance'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// The product alerts read OpenTelemetry metrics the app emits (Application Insights stores them in customMetrics, by
// instrument name): compliance.requests.overdue, compliance.outbox.failed, compliance.sweep.failed,
// compliance.sweep.waiting and compliance.graph.subscription.expires_in_hours. Written against those names, which the app's
// telemetry defines; a rule whose metric has not been emitted yet finds no rows and stays quiet. Each query returns the
// rows that need a person, and a rule fires when there is at least one in the last hour.
var alerts = [
  {
    name: 'request-overdue'
    displayName: 'Compliance: a request is overdue'
    description: 'A data-subject request is past its due date (compliance.requests.overdue above zero). The DPO is emailed escalations by the app; this tells whoever runs the deployment too.'
    severity: 1
    query: 'customMetrics\n| where name == "compliance.requests.overdue"\n| where value > 0'
  }
  {
    name: 'email-failed'
    displayName: 'Compliance: an email failed'
    description: 'The outbox gave up on an email after its retries (compliance.outbox.failed above zero); the app has opened a task for it.'
    severity: 2
    query: 'customMetrics\n| where name == "compliance.outbox.failed"\n| where value > 0'
  }
  {
    name: 'sweep-failed'
    displayName: 'Compliance: a retention sweep failed'
    description: 'A retention sweep failed, or left items behind that it should have deleted (compliance.sweep.failed above zero).'
    severity: 1
    query: 'customMetrics\n| where name == "compliance.sweep.failed"\n| where value > 0'
  }
  {
    name: 'sweep-waiting'
    displayName: 'Compliance: a retention sweep waits past the supplier bound'
    description: 'A retention sweep is still waiting for a supplier\'s confirmation after the policy\'s suppliers.confirmDeletionWithin (compliance.sweep.waiting above zero).'
    severity: 2
    query: 'customMetrics\n| where name == "compliance.sweep.waiting"\n| where value > 0'
  }
  {
    name: 'graph-subscription-expiring'
    displayName: 'Compliance: the Graph subscription is about to expire'
    description: 'The mailbox\'s Graph change-notification subscription has fewer than ${graphSubscriptionMinHours} hours left (compliance.graph.subscription.expires_in_hours): its renewals are failing, and once it expires new emails arrive only by the catch-up timer.'
    severity: 2
    query: 'customMetrics\n| where name == "compliance.graph.subscription.expires_in_hours"\n| where value < ${graphSubscriptionMinHours}'
  }
  {
    name: 'function-failures'
    displayName: 'Compliance: function invocations are failing'
    description: 'A function invocation failed (a request telemetry row with success false), other than an HTTP answer in the 400s, which the app gives callers on purpose.'
    severity: 2
    query: 'requests\n| where success == false\n| where not(resultCode startswith "4")'
  }
]

resource rules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in alerts: {
    name: '${alertNamePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      // Every 15 minutes over the last hour: the cheapest frequency, soon enough for what these report (deadlines in
      // days, a subscription with a day left), and a counted event is seen by four evaluations, not lost between two.
      evaluationFrequency: 'PT15M'
      windowSize: 'PT1H'
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      // Stateful: one email when the rule fires and one when it resolves, not one every 15 minutes.
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]
