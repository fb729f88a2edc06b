#!/usr/bin/env bash
# Set up a fresh database and load the whole demo, optionally at another moment:
#   scripts/demo-at.sh                        now
#   scripts/demo-at.sh '2027-01-01 00:10:00'  at that moment (Debian's faketime; the clock then runs on)
# Used by .ci/run to prove that the demo builds a consistent past at awkward moments.
set -euo pipefail
cd "$(dirname "$0")/.."
moment=${1:-}
dir=$(mktemp -d /tmp/pm-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export PM_INSTANCE_DIR="$dir" DATABASE_URL="sqlite:///$dir/pm.db" PM_ADMIN_PASSWORD="Demo-Check-2026!"
started=$(date +%s)
# faketime starts each process's clock at the moment anew: a later step starts where the earlier ones got to
run() {
  if [ -n "$moment" ]; then
    faketime -f "@$(date -d "$moment $(( $(date +%s) - started )) seconds" '+%Y-%m-%d %H:%M:%S')" "$@"
  else
    "$@"
  fi
}
run .venv/bin/flask --app run db upgrade >/dev/null 2>&1
run .venv/bin/flask --app run pm init >/dev/null
run .venv/bin/flask --app run pm demo --if-empty --households "${PM_DEMO_HOUSEHOLDS:-600}"
run env PYTHONPATH=. .venv/bin/python scripts/check-demo.py
