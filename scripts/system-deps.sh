#!/usr/bin/env bash
# Install the Debian packages the back office needs, or say exactly what is missing.
#   scripts/system-deps.sh           packages to run (PDF libraries, Chinese fonts)
#   scripts/system-deps.sh --test    also what the browser tests need (Chromium)
set -euo pipefail

# poppler-utils: pdfunite joins the pieces of a large batch of notices without holding them in memory
need=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig poppler-utils)
if [ "${1:-}" = "--test" ]; then
  need+=(chromium)
fi
# Debian's python3 needs python3-venv to make a virtual environment.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  need+=(python3-venv)
fi

missing=()
for pkg in "${need[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "These Debian packages are missing: ${missing[*]}" >&2
echo "Install them, then run make again:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
exit 1
