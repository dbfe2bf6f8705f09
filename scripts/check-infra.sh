#!/usr/bin/env bash
# Compiles and lints every Bicep file under infra/ with the Bicep compiler from NuGet (Azure.Bicep.CommandLine.linux-x64,
# pinned in infra/tools/Bicep.props) and the linter rules of infra/bicepconfig.json. Fails on any compile error and on any
# linter error or warning. Run by .ci/run; by hand: scripts/check-infra.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dotnet restore infra/tools/bicep.csproj --verbosity quiet
bicep="${BICEP_CLI:-$(dotnet msbuild infra/tools/bicep.csproj -getProperty:BicepCliPath)}"
if [ ! -x "$bicep" ]; then
  echo "The Bicep compiler was not found at '$bicep' after restoring infra/tools/bicep.csproj." >&2
  exit 1
fi
echo "$("$bicep" --version) ($bicep)"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
count=0
while IFS= read -r file; do
  count=$((count + 1))
  rel="${file#"$root"/}"
  # lint compiles the file and the modules it uses, and reports compiler and linter diagnostics alike.
  if ! "$bicep" lint "$file" >"$out/lint.log" 2>&1; then
    echo "FAIL $rel (lint)"; sed 's/^/    /' "$out/lint.log"; failed=1; continue
  fi
  if grep -Eq ': (Error|Warning) ' "$out/lint.log"; then
    echo "FAIL $rel (linter warnings)"; sed 's/^/    /' "$out/lint.log"; failed=1; continue
  fi
  if ! "$bicep" build "$file" --outdir "$out" >"$out/build.log" 2>&1; then
    echo "FAIL $rel (build)"; sed 's/^/    /' "$out/build.log"; failed=1; continue
  fi
  echo "ok   $rel"
  # Informational diagnostics (such as newer API versions) are shown but do not fail the check.
  grep -E ': Info ' "$out/lint.log" | sed 's/^/    /' || true
done < <(find infra -name '*.bicep' -not -path '*/bin/*' -not -path '*/obj/*' | sort)

if [ "$count" -eq 0 ]; then
  echo "No Bicep files were found under infra/." >&2
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "Bicep: some files do not compile or lint clean." >&2
  exit 1
fi
echo "Bicep: $count files compile and lint clean."
