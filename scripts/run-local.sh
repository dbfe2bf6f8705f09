#!/usr/bin/env bash
# Runs the whole system locally: Azurite (started by the self-host, data in .azurite/), the Durable Task engine in-process,
# every HTTP route on http://localhost:7071/api and every timer. Ctrl+C stops it all. Extra arguments go to the self-host,
# e.g. --SelfHost:Urls=http://localhost:8080
# It runs in Development (Properties/launchSettings.json) with Mail:Transport none (appsettings.json): nothing is sent, and
# the emails are readable in the local mailbox at http://localhost:7071/dev/mailbox (docs/mailbox-local.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/ensure-tools.sh"
cd "$root"
exec dotnet run --project functions/Compliance.SelfHost -- "$@"
