#!/bin/sh
# After provisioning: points the app registration's sign-in redirect at the deployed app, and gives the first DPO the Dpo
# app role and the first administrator the Admin app role (role assignments live in Microsoft Graph, which this
# deployment's Bicep does not write to). Safe to run again: an existing assignment is left as it is.
#
# Run by 'azd provision' / 'azd up' as the postprovision hook (azure.yaml), with the azd environment's values; by hand,
# export AZURE_AUTH_CLIENT_ID, SERVICE_API_URI, COMPLIANCE_FIRST_DPO_PRINCIPAL_ID and COMPLIANCE_FIRST_ADMIN_PRINCIPAL_ID
# (all in 'azd env get-values'). Other staff get their roles the same way: docs/deploy.md, "Give staff their roles".
set -eu

command -v az >/dev/null 2>&1 || { echo "The Azure CLI (az) is needed: https://aka.ms/azure-cli" >&2; exit 1; }
app_id=${AZURE_AUTH_CLIENT_ID:?AZURE_AUTH_CLIENT_ID is not set: run create-app-registration.sh first}
api_uri=${SERVICE_API_URI:?SERVICE_API_URI is not set: provision first (azd provision)}
dpo=${COMPLIANCE_FIRST_DPO_PRINCIPAL_ID:?COMPLIANCE_FIRST_DPO_PRINCIPAL_ID is not set}
admin=${COMPLIANCE_FIRST_ADMIN_PRINCIPAL_ID:?COMPLIANCE_FIRST_ADMIN_PRINCIPAL_ID is not set}
graph=$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)
graph=${graph%/}

# Browser sign-in at /.auth/login/aad returns here.
az ad app update --id "$app_id" --web-redirect-uris "$api_uri/.auth/login/aad/callback"

sp_id=$(az ad sp show --id "$app_id" --query id -o tsv)

assign() {
  principal=$1
  role=$2
  role_id=$(az ad sp show --id "$app_id" --query "appRoles[?value=='$role'].id | [0]" -o tsv)
  [ -n "$role_id" ] || { echo "The app registration has no app role '$role'; run create-app-registration.sh." >&2; exit 1; }
  count=$(az rest --method GET --uri "$graph/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo?\$top=999" \
    --query "length(value[?principalId=='$principal' && appRoleId=='$role_id'])" -o tsv)
  if [ "$count" = "0" ]; then
    az rest --method POST --uri "$graph/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
      --headers "Content-Type=application/json" \
      --body "{\"principalId\": \"$principal\", \"resourceId\": \"$sp_id\", \"appRoleId\": \"$role_id\"}" >/dev/null
    echo "Gave $principal the $role role."
  else
    echo "$principal already has the $role role."
  fi
}

assign "$dpo" Dpo
assign "$admin" Admin
echo "Sign-in redirect: $api_uri/.auth/login/aad/callback"
