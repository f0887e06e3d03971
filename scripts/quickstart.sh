#!/usr/bin/env bash
# The main job of the quick start: one experiment, end to end. `crucible run` boots a cluster of
# the bundled orchestrator (Docker containers when an engine answers, else local processes),
# deploys the echo app, drives load through it, kills one of its pods, heals, judges the run and
# writes an HTML report, history.json and JUnit under crucible-runs/. Nothing stays up afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

node dist/harness/cli/crucible-cli.js run --out crucible-runs scenarios/quick/pod-kill.yaml
echo
echo "The report: crucible-runs/index.html (open it in a browser; it needs no network)."
echo "More: npx crucible run scenarios/chaos   ·   npx crucible up   ·   README.md"
