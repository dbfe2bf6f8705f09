#!/usr/bin/env bash
# Installs what the self-host and the tests need that NuGet restore does not: Azurite, from package-lock.json.
# Safe to run often: it reinstalls only when the lock file has changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v node >/dev/null || { echo "Node.js 20 or later is needed (for Azurite); install it first." >&2; exit 1; }
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is needed; install it first." >&2; exit 1; }

stamp="node_modules/.compliance-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f node_modules/azurite/package.json ]; then
  echo "Installing Azurite and other npm tools (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
