#!/usr/bin/env bash
# A private Docker engine for the executor tests, isolated from any system Docker:
# its own data/exec roots, pid file and unix socket under $WIKIFARM_TEST_DOCKER_DIR, no networking
# changes to the host (no iptables, no bridge), and a tiny local test image built from Debian's
# busybox-static (no registry needed).
#
#   scripts/test-dockerd.sh start   # idempotent; prints the DOCKER_HOST to use
#   scripts/test-dockerd.sh stop    # kills that dockerd and removes its directories
#   scripts/test-dockerd.sh status
#
# Needs root and the packages docker.io and busybox-static:
#   apt-get install -y docker.io busybox-static
# Tests find the engine through WIKIFARM_TEST_DOCKER_HOST (default unix:///tmp/wikifarm-test-docker/docker.sock).
set -euo pipefail

DIR="${WIKIFARM_TEST_DOCKER_DIR:-/tmp/wikifarm-test-docker}"
SOCK="$DIR/docker.sock"
HOST="unix://$SOCK"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
IMAGE="wikifarm-test-busybox:latest"
# vfs works everywhere (including overlay-on-overlay CI sandboxes); the test image is ~2 MB.
STORAGE_DRIVER="${WIKIFARM_TEST_DOCKER_STORAGE:-vfs}"
# The stock docker client may be newer than the engine; pin the client to no particular version.
DOCKER=(docker -H "$HOST")

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "test-dockerd: $1 not found: apt-get install -y $2" >&2; exit 1; }
}

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

answers() {
  [[ -S "$SOCK" ]] && "${DOCKER[@]}" info >/dev/null 2>&1
}

build_image() {
  if "${DOCKER[@]}" image inspect "$IMAGE" >/dev/null 2>&1; then
    return
  fi
  local busybox rootfs
  busybox="$(command -v busybox || true)"
  [[ -x /bin/busybox ]] && busybox=/bin/busybox
  [[ -n "$busybox" ]] || { echo "test-dockerd: busybox not found: apt-get install -y busybox-static" >&2; exit 1; }
  if ldd "$busybox" >/dev/null 2>&1; then
    echo "test-dockerd: $busybox is dynamically linked; install busybox-static" >&2
    exit 1
  fi
  rootfs="$(mktemp -d)"
  # mktemp makes a 0700 directory, which would become the image's "/" and lock out non-root users.
  chmod 0755 "$rootfs"
  mkdir -p -m 0755 "$rootfs"/{bin,etc,tmp,proc,sys,dev,srv,root}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in sh ash echo sleep cat id pwd kill ps ls grep tr seq printf true false env touch mkdir rm \
                wc head tail sed date; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  # www-data (uid 33) exists in the MediaWiki images; the tests run commands as that user.
  printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nwww-data:x:33:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" -c . | "${DOCKER[@]}" import -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
}

start() {
  need dockerd docker.io
  need docker docker.io
  mkdir -p "$DIR"
  if ! running; then
    rm -f "$SOCK" "$PIDFILE"
    # setsid: the engine outlives this script and the CI step that started it.
    setsid dockerd \
      --data-root "$DIR/data" \
      --exec-root "$DIR/exec" \
      --pidfile "$PIDFILE" \
      -H "$HOST" \
      --storage-driver "$STORAGE_DRIVER" \
      --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
      >"$LOG" 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 60); do
    if answers; then
      build_image
      echo "$HOST"
      return
    fi
    if [[ -f "$PIDFILE" ]] && ! running; then break; fi
    sleep 0.5
  done
  echo "test-dockerd: the engine did not come up; last log lines:" >&2
  tail -n 30 "$LOG" >&2 || true
  exit 1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$PIDFILE")"
    # Remove whatever containers a failed test run left behind before the engine goes.
    "${DOCKER[@]}" ps -aq 2>/dev/null | xargs -r "${DOCKER[@]}" rm -f >/dev/null 2>&1 || true
    kill "$pid"
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Mounts left under the data root (vfs has none, but be safe) must go before rm -rf.
  if [[ -d "$DIR" ]]; then
    grep -o " $DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$DIR"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "running at $HOST"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
