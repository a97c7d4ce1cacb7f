#!/usr/bin/env bash
# Sets up (deploy/setup-debian.sh), builds with warnings as errors and runs
# every test with ctest. Tests start their own snmpd, snmpsim, pymodbus,
# Prometheus and Alertmanager on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DC_WERROR=ON deploy/setup-debian.sh
cd build
ctest --output-on-failure --timeout 900 --parallel "$(nproc)" "$@"
