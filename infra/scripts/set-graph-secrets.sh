#!/bin/sh
# Stores the mailbox connector's secrets in the Key Vault, where the Function App reads them through Key Vault references
# (Graph__ClientSecret -> graph-client-secret, Graph__ClientState -> graph-client-state), then asks the app to read them
# again at once instead of within 24 hours. Values never appear on a command line or in the output.
#
#   set-graph-secrets.sh                          first run: a random clientState, if the vault has none yet
#   set-graph-secrets.sh --new-client-secret      also add a client secret to the Graph app registration (GRAPH_CLIENT_ID)
#                                                 and store it; the old one keeps working until you remove it
#   set-graph-secrets.sh --rotate-client-state    replace the clientState (then renew the Graph subscription: docs/deploy.md)
#
# Needs the Azure CLI signed in as someone with Key Vault Secrets Officer on the vault (the first administrator, or
# whoever ran azd provision), and the azd environment's values: AZURE_KEY_VAULT_NAME, AZURE_RESOURCE_GROUP,
# AZURE_FUNCTION_APP_NAME and, for --new-client-secret, GRAPH_CLIENT_ID ('eval "$(azd env get-values)"').
set -eu

command -v az >/dev/null 2>&1 || { echo "The Azure CLI (az) is needed: https://aka.ms/azure-cli" >&2; exit 1; }
vault=${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set}
group=${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is not set}
app=${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is not set}

new_client_secret=false
rotate_client_state=false
for arg in "$@"; do
  case "$arg" in
    --new-client-secret) new_client_secret=true ;;
    --rotate-client-state) rotate_client_state=true ;;
    *) echo "Unknown argument: $arg (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

umask 077
secret_file=$(mktemp)
trap 'rm -f "$secret_file"' EXIT

store() {
  az keyvault secret set --vault-name "$vault" --name "$1" --file "$secret_file" --encoding utf-8 --query "attributes.created" -o tsv >/dev/null
  : > "$secret_file"
  echo "Stored a new version of $1."
}

# clientState: up to 128 characters that Graph echoes in every change notification; 48 random bytes, base64url.
if $rotate_client_state || ! az keyvault secret show --vault-name "$vault" --name graph-client-state --query id -o tsv >/dev/null 2>&1; then
  head -c 48 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_' > "$secret_file"
  store graph-client-state
fi

if $new_client_secret; then
  graph_app=${GRAPH_CLIENT_ID:?GRAPH_CLIENT_ID is not set: create the Graph app registration first (docs/deploy.md)}
  az ad app credential reset --id "$graph_app" --append --display-name "compliance-$(date -u +%Y%m%d)" --years 1 \
    --query password -o tsv | tr -d '\r\n' > "$secret_file"   # tsv ends in a newline, which is not part of the secret
  store graph-client-secret
fi

app_id=$(az functionapp show --resource-group "$group" --name "$app" --query id -o tsv)
az rest --method POST --uri "$app_id/config/configreferences/appsettings/refresh?api-version=2024-11-01" >/dev/null \
  && echo "Asked $app to read its Key Vault references again." \
  || echo "Could not ask $app to refresh its Key Vault references; it reads them again within 24 hours." >&2
