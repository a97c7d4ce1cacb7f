#!/usr/bin/env bash
# Reproduces the collector benchmark table of docs/benchmarks.md: one
# simulated fleet polled side by side by dcagent, snmp_exporter and collectd.
# `bench/run.sh --help` lists the options; `--quick` takes a few minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Debian's python3: the harness and the fallback Modbus fleet need only it.
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec /usr/bin/python3 \
  -m dcbench.main "$@"
