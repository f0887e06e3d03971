#!/usr/bin/env bash
# Installs what crucible and its tests need on a fresh Debian machine, then builds the project.
# Idempotent and quick when everything is already there; README, `npm test` and .ci/run all call it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "$@" >/dev/null
}

# etcd: the store of record of the bundled orchestrator (Debian's etcd-server, 3.4).
command -v etcd >/dev/null 2>&1 || apt_install etcd-server

# Docker engine: the `docker` cluster provider and the node image need one. Install Debian's
# docker.io only when the daemon binary is missing (a docker CLI alone may be preinstalled), start
# dockerd in the background when nothing answers, and wait until it does.
have_dockerd() { command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ]; }
if ! docker info >/dev/null 2>&1; then
  have_dockerd || apt_install docker.io || log "warning: could not install docker.io"
  if have_dockerd; then
    if ! pgrep -x dockerd >/dev/null 2>&1; then
      log "starting dockerd (log: /var/log/dockerd.log)"
      as_root setsid -f sh -c 'PATH="$PATH:/usr/sbin"; exec dockerd >>/var/log/dockerd.log 2>&1 </dev/null'
    fi
    for _ in $(seq 1 100); do
      docker info >/dev/null 2>&1 && break
      sleep 0.2
    done
  fi
  docker info >/dev/null 2>&1 ||
    log "warning: no Docker engine answers (see /var/log/dockerd.log); the Docker tests will be skipped"
fi

# Chromium: the report's browser test opens the HTML report in it, driven by playwright-core
# (Debian's package; playwright's own browser download cannot work without the internet).
[ -x /usr/bin/chromium ] || apt_install chromium || log "warning: could not install chromium; the browser test will be skipped"

# kubectl is preinstalled on crucible's machines; say so clearly where it is not.
command -v kubectl >/dev/null 2>&1 || log "warning: kubectl is not on PATH; the kubectl tests will fail (install kubectl 1.32)"

# Node dependencies: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# Build (incremental: a no-op when nothing changed).
npx tsc -p tsconfig.json
