#!/usr/bin/env bash
# Publishes the staff console (functions/Compliance.Console, Blazor WebAssembly) to artifacts/console/, where the self-host
# serves it at /console/ (Console:ContentRoot names another folder). Skipped when nothing it is built from has changed since
# the last publish; --force publishes anyway. The Functions app's own publish (azd up) publishes it beside the app instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="artifacts/console"
stamp="$out/.sources.sha256"

sources() {
  find functions/Compliance.Console functions/Compliance.Contracts Directory.Build.props Directory.Packages.props \
    \( -path '*/bin' -o -path '*/obj' \) -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}

want="$(sources)"
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/wwwroot/index.html" ]; then
  exit 0
fi

echo "Publishing the staff console (dotnet publish functions/Compliance.Console)..."
rm -rf "$out"
dotnet publish functions/Compliance.Console --configuration Release --output "$out" -nologo -v quiet -clp:ErrorsOnly
echo "$want" > "$stamp"
