#!/usr/bin/env bash
# Installs what the self-host and the tests need that NuGet restore does not: Azurite, from package-lock.json, and
# Debian's Chromium for the browser tests (Playwright drives it; Playwright's own browser downloads are not used).
# Safe to run often: it reinstalls Azurite only when the lock file has changed, and Chromium only when it is missing.
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

# Browser tests (tests/Compliance.Tests/Infrastructure/Browser.cs) launch Debian's Chromium at /usr/bin/chromium. Without a
# way to install it this only warns: the self-host does not need it, and the browser tests say what is missing.
if [ ! -x /usr/bin/chromium ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
    as_root=(sudo)
  fi
  if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ ${#as_root[@]} -eq 0 ]; }; then
    echo "warning: Chromium is not installed at /usr/bin/chromium, so the browser tests will fail; install Debian's 'chromium' package as root (apt-get install chromium)." >&2
  else
    echo "Installing Chromium for the browser tests (apt-get install chromium)..."
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# The staff console's files, served by the self-host at /console/ (published again only when its sources changed).
"$root/scripts/build-console.sh"
