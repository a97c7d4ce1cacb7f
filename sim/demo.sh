#!/usr/bin/env bash
# The demo: sets up and builds, then polls devices on 127.0.0.1 with
# dcagent. Until dcsim serves a whole simulated hall, it polls net-snmp's own
# snmpd.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup-debian.sh
echo "demo: dcagent is not built yet; nothing more to run"
