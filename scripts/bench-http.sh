#!/usr/bin/env bash
# HTTP read-path benchmark: throughput and latency of the API's read endpoints, each reported as a ratio to
# GET /health measured in the same run on the same server (the baseline: same HTTP stack, no MariaDB/Redis
# round trip). Runs the embedded dev mode on 127.0.0.1:18080 with 200 seeded ready wikis; loopback only.
#
#   scripts/bench-http.sh [seconds-per-endpoint=10] [connections=32]
#
# Needs: wrk (apt-get install -y wrk), the mariadb client (for seeding), a free port 18080, and the dev
# mode's ports 13306/16379 (so not while `mvn -Pdev … exec:java` runs).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
PORT=18080
BASE="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

mvn -q -B -Pdev test-compile
LOG=$(mktemp)
BIND_ADDR="127.0.0.1:$PORT" mvn -q -B -Pdev exec:java >"$LOG" 2>&1 &
DEV=$!
trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 120); do
  curl -fs "$BASE/health" >/dev/null 2>&1 && break
  kill -0 $DEV 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done

if command -v mariadb >/dev/null; then
  mariadb -h127.0.0.1 -P13306 -ufarmadmin -padmin-Secret-42 mediawiki -e "
    DELETE FROM wikifarm_wikis WHERE slug LIKE 'bench-%';
    INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, visibility, status, is_featured)
    SELECT CONCAT('Bench ', seq), CONCAT('bench-', seq), CONCAT('bench-', seq, '.wiki.localhost'), 'en',
           1 + seq % 10, 'Bench', 'public', 'ready', seq % 2 FROM seq_1_to_200;"
fi

run() { # name path → "req/s p99"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE$2" | awk -v name="$1" '
    /Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print name, rps, p99}'
}
# warm-up: JIT, pools and MariaDB's caches settle before anything is measured
for path in /health "/provisioner/v1/wikis?featured=1&limit=20" "/provisioner/v1/wikis?featured=0&limit=20&offset=40" \
    /provisioner/v1/users/3/wikis /provisioner/v1/wikis/slug/bench-150/exists; do
  wrk -t2 -c"$CONNECTIONS" -d3s "$BASE$path" >/dev/null
done
echo "wrk: 2 threads, $CONNECTIONS connections, ${DURATION}s per endpoint after a 3 s warm-up each, $(nproc) cores"
RESULTS=$(
  run health /health
  run featured "/provisioner/v1/wikis?featured=1&limit=20"
  run all-page3 "/provisioner/v1/wikis?featured=0&limit=20&offset=40"
  run owner /provisioner/v1/users/3/wikis
  run slug-exists /provisioner/v1/wikis/slug/bench-150/exists
)
echo "$RESULTS" | awk 'NR==1 {base=$2} {printf "%-12s %10.0f req/s  p99 %-8s  %.2f x baseline\n", $1, $2, $3, $2/base}'
