#!/usr/bin/env bash
# What `make run` sets up (database, roles, the whole demo) in a fresh temporary instance, optionally at another
# moment, then checks the demo (scripts/check-demo.py):
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
# and it serves: the login page, then the home page and the owners' list as admin
port=$(( 18000 + RANDOM % 2000 ))
PORT=$port run .venv/bin/python run.py >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/login/" && break
  sleep 0.5
done
jar="$dir/cookies"
token=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login/" | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -n 1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" --data-urlencode "username=admin" \
  --data-urlencode "password=$PM_ADMIN_PASSWORD" "http://127.0.0.1:$port/login/"
for page in / /owners/list/; do
  code=$(curl -s -b "$jar" -o "$dir/page.html" -w '%{http_code}' "http://127.0.0.1:$port$page")
  if [ "$code" != 200 ] || grep -q 'name="password"' "$dir/page.html"; then
    echo "serving failed: $page answered $code" >&2; tail -20 "$dir/serve.log" >&2; exit 1
  fi
done
echo "served http://127.0.0.1:$port/ : the login, the home page and the owners' list answer"
