#!/usr/bin/env bash
# The main job until `crucible up` exists: starts etcd and the orchestrator's apiserver on
# loopback, shows kubectl working against it, and removes everything on exit or Ctrl-C.
# `--keep` leaves it running until Ctrl-C so you can try your own kubectl commands.
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
[ "${1:-}" = "--keep" ] && keep=1

dir=$(mktemp -d /tmp/crucible-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
token=$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')
echo "$token,admin,uid-admin,\"system:masters\"" > "$dir/tokens.csv"

echo "» starting etcd on 127.0.0.1:$etcd_port"
etcd --name=demo --data-dir="$dir/etcd" --logger=zap --log-level=error \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
  --initial-cluster="demo=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
pids+=($!)

echo "» starting the apiserver on 127.0.0.1:$api_port"
node dist/orchestrator/cmd/main.js apiserver --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --secure-port="$api_port" --cert-dir="$dir/certs" \
  --token-auth-file="$dir/tokens.csv" --log-level=warn >"$dir/apiserver.log" 2>&1 &
pids+=($!)

ready() {
  [ -f "$dir/certs/ca.crt" ] || return 1
  NODE_EXTRA_CA_CERTS="$dir/certs/ca.crt" node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "https://127.0.0.1:$api_port/readyz"
}
for _ in $(seq 1 100); do ready && break; sleep 0.1; done
ready || { echo "apiserver did not become ready:"; cat "$dir/apiserver.log"; exit 3; }

server="https://127.0.0.1:$api_port"
k() { echo "\$ kubectl $*"; kubectl --server="$server" --token="$token" --certificate-authority="$dir/certs/ca.crt" --cache-dir="$dir/kube-cache" "$@"; echo; }
k version
k create namespace demo
k apply --validate=false -f scenarios/manifests/echo.yaml -n demo
k get deployments,services,configmaps -n demo
k scale deployment echo -n demo --replicas=3
k get deployment echo -n demo -o jsonpath='{.spec.replicas}{"\n"}'
k auth can-i create pods -n demo

if [ "$keep" -eq 1 ]; then
  echo "The control plane stays up until Ctrl-C. Try:"
  echo "  kubectl --server=$server --token=$token --certificate-authority=$dir/certs/ca.crt get namespaces"
  wait
fi
