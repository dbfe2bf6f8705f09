#!/bin/sh
# Creates, or brings up to date, the Microsoft Entra ID app registration that App Service Authentication validates staff
# tokens for: single tenant, the five app roles of app-roles.json, an API scope (api://<client id>/user_impersonation)
# that the Azure CLI may request without a consent prompt, v2 access tokens, and an enterprise application (service
# principal) on which a role assignment is required, so that only staff given a role can get a token at all.
# Stores the client id in the azd environment as AZURE_AUTH_CLIENT_ID, which main.parameters.json passes to Bicep.
#
# Safe to run again: it finds the registration by AZURE_AUTH_CLIENT_ID or by its display name, "Compliance (<env>)".
# Run by 'azd provision' / 'azd up' as the preprovision hook (azure.yaml); by hand: 'azd env get-values' first, or export
# AZURE_ENV_NAME yourself. Needs the Azure CLI signed in ('az login') as someone who may create app registrations.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
command -v az >/dev/null 2>&1 || { echo "The Azure CLI (az) is needed: https://aka.ms/azure-cli" >&2; exit 1; }
env_name=${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this through azd, or export it}
display_name="Compliance ($env_name)"
graph=$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)
graph=${graph%/}
# The well-known client id of the Azure CLI, so staff can call the API with 'az account get-access-token'.
azure_cli_app_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46
# Stable id of the API scope; any GUID unique within this registration would do.
scope_id=3b0d9c1e-5f7a-4e2b-8c6d-2a1f0e9b7c11

app_id=${AZURE_AUTH_CLIENT_ID:-}
if [ -n "$app_id" ] && az ad app show --id "$app_id" >/dev/null 2>&1; then
  echo "App registration $app_id ($display_name) exists; bringing it up to date."
else
  app_id=$(az ad app list --display-name "$display_name" --query "[0].appId" -o tsv)
  if [ -z "$app_id" ]; then
    echo "Creating app registration '$display_name'."
    app_id=$(az ad app create --display-name "$display_name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
  else
    echo "Found app registration $app_id ($display_name); bringing it up to date."
  fi
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)

# App roles (Role.All in the app; a test keeps app-roles.json equal to it), browser sign-in with an ID token, and the
# identifier URI that v1 tokens carry as their audience.
az ad app update --id "$app_id" \
  --app-roles "@$here/app-roles.json" \
  --identifier-uris "api://$app_id" \
  --enable-id-token-issuance true

# The API scope first, then the pre-authorised Azure CLI (Graph refuses both in one request when the scope is new).
az rest --method PATCH --uri "$graph/v1.0/applications/$object_id" --headers "Content-Type=application/json" --body "{
  \"api\": {
    \"requestedAccessTokenVersion\": 2,
    \"oauth2PermissionScopes\": [{
      \"id\": \"$scope_id\",
      \"value\": \"user_impersonation\",
      \"type\": \"User\",
      \"isEnabled\": true,
      \"adminConsentDisplayName\": \"Use the Compliance API\",
      \"adminConsentDescription\": \"Call the Compliance API as the signed-in member of staff.\",
      \"userConsentDisplayName\": \"Use the Compliance API\",
      \"userConsentDescription\": \"Call the Compliance API as you.\"
    }]
  }
}"
az rest --method PATCH --uri "$graph/v1.0/applications/$object_id" --headers "Content-Type=application/json" --body "{
  \"api\": {
    \"preAuthorizedApplications\": [{ \"appId\": \"$azure_cli_app_id\", \"delegatedPermissionIds\": [\"$scope_id\"] }]
  }
}"

# The enterprise application, on which only assigned principals may sign in.
if ! az ad sp show --id "$app_id" >/dev/null 2>&1; then
  az ad sp create --id "$app_id" >/dev/null
fi
az ad sp update --id "$app_id" --set appRoleAssignmentRequired=true

if command -v azd >/dev/null 2>&1; then
  azd env set AZURE_AUTH_CLIENT_ID "$app_id"
fi
echo "AZURE_AUTH_CLIENT_ID=$app_id"
