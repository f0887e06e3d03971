#!/usr/bin/env bash
# The main job of the quick start: boots a cluster of the bundled orchestrator (the docker
# provider when a Docker engine answers, a container per component; else the process provider,
# every component a local process), deploys the sample echo app behind a NodePort Service and
# shows it answering from the host through each worker's host address. The cluster stays up;
# `npx crucible down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

node dist/harness/runner/crucible-cli.js up --workers 3
kubeconfig=$(node dist/harness/runner/crucible-cli.js kubeconfig)
k() { echo "\$ kubectl $*"; KUBECONFIG="$kubeconfig" kubectl "$@"; echo; }

k get nodes -o wide
k apply --validate=false -f scenarios/manifests/echo.yaml
k rollout status deployment/echo --timeout=60s

ask() { node -e '
  const http = require("http");
  http.get(process.argv[1], { agent: false }, (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => { console.log(b); process.exit(res.statusCode === 200 ? 0 : 1); }); })
    .on("error", () => process.exit(1));' "$1"; }
# Each worker's address on the host (127.0.S.N), whichever provider runs it.
worker_ips=$(node dist/harness/runner/crucible-cli.js ls -o json | node -e '
  let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () =>
    console.log(JSON.parse(s).find((c) => c.name === "crucible").workers.map((w) => w.ip).join(" ")));')
for ip in $worker_ips; do
  for _ in $(seq 1 50); do ask "http://$ip:30080/" >/dev/null && break; sleep 0.2; done
  echo "\$ curl http://$ip:30080/"
  ask "http://$ip:30080/"
done

echo
echo "The cluster stays up. Use it with:  export KUBECONFIG=$kubeconfig"
echo "Remove it with:                     npx crucible down"
