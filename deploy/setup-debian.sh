#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and demos with,
# then configures and builds it in ./build. Run as root (or with sudo) on a
# fresh Debian 12 machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  cmake ninja-build g++ pkg-config git
  # libraries
  libboost-dev libboost-coroutine-dev libboost-context-dev prometheus-cpp-dev libsnmp-dev libmodbus-dev
  libtomlplusplus-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libcli11-dev libssl-dev zlib1g-dev libcrypt-dev
  googletest libgtest-dev libgmock-dev
  # real peers for tests and the demo
  snmpd snmp snmpsim python3-pymodbus python3-serial python3-serial-asyncio
  prometheus prometheus-alertmanager
  # tools used by tests and the benchmarks; openssl makes the HTTPS
  # tests' certificates, whois's mkpasswd their password hashes
  procps iproute2 curl openssl whois
  # deployment tests: YAML in Python, systemd-analyze, cpack's dpkg-shlibdeps
  python3-yaml systemd dpkg-dev
  # benchmark peers (bench/run.sh); write_prometheus needs the two libraries
  prometheus-snmp-exporter collectd-core libprotobuf-c1 libmicrohttpd12
  # the planner's HTML report is checked in headless Chromium
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's snmpd and prometheus start system services on install; the
# project runs its own instances on loopback, so stop those if running.
for svc in snmpd prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DDC_WERROR="${DC_WERROR:-OFF}" >/dev/null
cmake --build build --parallel "$(nproc)"
