#!/usr/bin/env bash
# Rewrites the list of functions in README.md from the self-host's start-up banner (ReadmeBannerTests checks they match).
# Run after adding, renaming or removing a function; needs a Release build (dotnet build Compliance.sln -c Release).
set -euo pipefail
cd "$(dirname "$0")/.."
banner=$(mktemp)
trap 'rm -f "$banner"' EXIT
timeout 120 dotnet run --no-build -c Release --project functions/Compliance.SelfHost >"$banner" 2>&1 || true
python3 - "$banner" <<'PY'
import sys
def block(lines):
    start = lines.index('  functions') + 1
    end = start
    while end < len(lines) and lines[end].startswith('    '):
        end += 1
    return start, end
banner = open(sys.argv[1]).read().splitlines()
s, e = block(banner)
readme = open('README.md').read().splitlines()
rs, re_ = block(readme)
readme[rs:re_] = banner[s:e]
open('README.md', 'w').write('\n'.join(readme) + '\n')
print(f"README.md: {e - s} functions listed")
PY
