#!/usr/bin/env bash
# Runs every test against real Azurite (started by the tests, in memory) and the real Durable Task engine.
# Results go to TestResults/ as TRX; extra arguments go to 'dotnet test' (e.g. --filter KillAndRestart).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/ensure-tools.sh"
cd "$root"
rm -rf TestResults
exec dotnet test Compliance.sln --configuration Release --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" --results-directory TestResults "$@"
