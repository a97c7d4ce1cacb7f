#!/usr/bin/env bash
# The demo: sets up and builds (deploy/setup-debian.sh), then runs a
# simulated data hall on 127.0.0.1 with dcsim, polls it with dcagent, scrapes
# the agent with Prometheus (with the project's alert rules) and routes
# alerts to Alertmanager. Runs until Ctrl-C, or for --duration SECONDS and
# then checks that the pieces worked together (CI runs it that way).
#
#   sim/demo.sh                  # interactive, until Ctrl-C
#   sim/demo.sh --duration 120   # non-interactive, checks and exits
#   sim/demo.sh --no-setup       # skip the package install and build step
#
# Fixed loopback ports (none of them the tools' defaults, so the demo runs
# beside a real installation); docs/simulator.md lists them:
#   dcsim devices  udp 20161-20222 (SNMP), tcp 20502-20503 (Modbus)
#   dcsim control  http://127.0.0.1:19640/
#   dcagent        http://127.0.0.1:19633/  (status page, /metrics)
#   Prometheus     http://127.0.0.1:19090/
#   Alertmanager   http://127.0.0.1:19093/
set -euo pipefail
cd "$(dirname "$0")/.."

duration=0
setup=1
while (($#)); do
  case "$1" in
    --duration)
      duration="${2:?--duration needs a number of seconds}"
      shift 2
      ;;
    --duration=*)
      duration="${1#*=}"
      shift
      ;;
    --no-setup)
      setup=0
      shift
      ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "demo: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
done
if ! [[ "$duration" =~ ^[0-9]+$ ]]; then
  echo "demo: --duration takes whole seconds, not '$duration'" >&2
  exit 2
fi

if ((setup)); then
  deploy/setup-debian.sh
fi

build=${DC_BUILD_DIR:-build}
fleet=sim/fleets/demo-hall.toml
work=$(mktemp -d /tmp/dcmon-demo.XXXXXX)
pids=()
names=()
missing=()

log() { printf 'demo: %s\n' "$*"; }

cleanup() {
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    wait "${pids[i]}" 2>/dev/null || true
  done
  log "stopped; logs were in $work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
  ss -Hltnu 2>/dev/null | awk '{print $5}' | grep -Eq "[:.]$1\$"
}

# Starts a program in the background with its output in $work/NAME.log.
start() {
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

# Waits until URL answers, or fails naming the log to read.
wait_http() {
  local name=$1 url=$2 tries=${3:-60}
  for ((t = 0; t < tries; t++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  log "$name did not come up at $url; its log:"
  tail -n 20 "$work/$name.log" >&2 || true
  return 1
}

for port in 19633 19640 19090 19093 20161 20502 20503; do
  if port_in_use "$port"; then
    log "port $port on this machine is taken; stop what uses it first"
    exit 1
  fi
done

# dcsim: the hall.
dcsim="$build/sim/dcsim"
if [[ ! -x "$dcsim" ]]; then
  log "$dcsim is not built; run deploy/setup-debian.sh first"
  exit 1
fi
start dcsim "$dcsim" --fleet "$fleet"
for ((t = 0; t < 100; t++)); do
  grep -q "dcsim ready" "$work/dcsim.log" 2>/dev/null && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    log "dcsim failed:"
    cat "$work/dcsim.log" >&2
    exit 1
  fi
  sleep 0.1
done
log "$(grep 'dcsim ready' "$work/dcsim.log")"

# dcagent: polls every device of the hall (sim/demo/dcagent.toml is what
# `dcsim --fleet $fleet --write-agent-config` writes).
dcagent="$build/agent/dcagent"
agent_up=0
if [[ -x "$dcagent" ]]; then
  export DCSIM_COMMUNITY=public
  if "$dcagent" --config sim/demo/dcagent.toml --check-config \
    >"$work/dcagent-check.log" 2>&1; then
    start dcagent "$dcagent" --config sim/demo/dcagent.toml
    wait_http dcagent http://127.0.0.1:19633/metrics && agent_up=1
  else
    log "dcagent rejects sim/demo/dcagent.toml:"
    head -n 20 "$work/dcagent-check.log" >&2
    missing+=("a dcagent that accepts sim/demo/dcagent.toml")
  fi
else
  missing+=("dcagent ($dcagent is not built yet)")
fi

# Prometheus with the project's rules, in its own data folder.
prom_up=0
if command -v prometheus >/dev/null; then
  if command -v promtool >/dev/null &&
    ! promtool check config sim/demo/prometheus.yml \
      >"$work/promtool.log" 2>&1; then
    log "promtool rejects sim/demo/prometheus.yml or a rule file:"
    tail -n 20 "$work/promtool.log" >&2
    exit 1
  fi
  start prometheus prometheus --config.file=sim/demo/prometheus.yml \
    --storage.tsdb.path="$work/prometheus" \
    --web.listen-address=127.0.0.1:19090 \
    --web.enable-lifecycle
  wait_http prometheus http://127.0.0.1:19090/-/ready && prom_up=1
else
  missing+=("prometheus (package prometheus)")
fi

# Alertmanager with the project's routing, or a minimal one.
am_up=0
alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager ||
  true)
if [[ -n "$alertmanager" ]]; then
  am_config=deploy/alertmanager/alertmanager.yml
  [[ -f "$am_config" ]] || am_config=sim/demo/alertmanager-minimal.yml
  start alertmanager "$alertmanager" --config.file="$am_config" \
    --storage.path="$work/alertmanager" \
    --web.listen-address=127.0.0.1:19093 \
    --cluster.listen-address=
  wait_http alertmanager http://127.0.0.1:19093/-/ready && am_up=1
else
  missing+=("alertmanager (package prometheus-alertmanager)")
fi

# dcplan on the sample plan, when the planner is built.
dcplan="$build/planner/dcplan"
plan=$(ls planner/examples/*.toml 2>/dev/null | head -n 1 || true)
if [[ -x "$dcplan" && -n "$plan" ]]; then
  if "$dcplan" report "$plan" -o "$work/dcplan-report.txt" \
    >"$work/dcplan.log" 2>&1; then
    log "dcplan report $plan (first lines; all of it in $work/dcplan-report.txt):"
    head -n 25 "$work/dcplan-report.txt" | sed 's/^/    /'
  else
    log "dcplan report $plan failed:"
    tail -n 10 "$work/dcplan.log" >&2
  fi
else
  missing+=("dcplan ($dcplan or a plan in planner/examples/)")
fi

cat <<EOF

  dcmon demo: a simulated hall on 127.0.0.1
    hall          2 UPS (2N), 24 rack PDUs (A+B, 12 racks), 12 rack monitors,
                  4 cooling units (N+1), 1 power meter: $fleet
    dcsim         http://127.0.0.1:19640/status    (devices, load, events)
                  SNMP udp 20161-20222, Modbus tcp 20502-20503, community public;
                  ups-a and ups-b SNMPv3 only (authPriv, user dcmon, SHA-256
                  and AES, passphrases in sim/demo/secrets/)
EOF
((agent_up)) && cat <<EOF
    dcagent       http://127.0.0.1:19633/          (status page)
                  http://127.0.0.1:19633/metrics   (the metrics Prometheus reads)
EOF
((prom_up)) && echo "    Prometheus    http://127.0.0.1:19090/          (alerts: /alerts)"
((am_up)) && echo "    Alertmanager  http://127.0.0.1:19093/"
cat <<EOF
    logs          $work/

  Try an event (see docs/simulator.md for all):
    curl -X POST --data '{"action":"ups_on_battery","device":"ups-a","duration":"5m"}' http://127.0.0.1:19640/event
    curl -X POST --data '{"action":"cooling_fail","device":"crah-02"}' http://127.0.0.1:19640/event
EOF
if ((${#missing[@]})); then
  echo
  for m in "${missing[@]}"; do
    echo "  not running: $m"
  done
fi
echo

if ((duration == 0)); then
  log "running; Ctrl-C stops everything"
  while true; do
    for i in "${!pids[@]}"; do
      if ! kill -0 "${pids[i]}" 2>/dev/null; then
        log "${names[i]} exited; its log:"
        tail -n 20 "$work/${names[i]}.log" >&2
        exit 1
      fi
    done
    sleep 2
  done
fi

log "running for $duration s"
sleep "$duration"

# A non-interactive run checks that the parts worked together.
status=0
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[i]}" 2>/dev/null; then
    log "${names[i]} died during the run; its log:"
    tail -n 20 "$work/${names[i]}.log" >&2
    status=1
  fi
done
requests=$(curl -fsS http://127.0.0.1:19640/status |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
log "dcsim answered $requests requests"
if ((agent_up)); then
  series=$(curl -fsS http://127.0.0.1:19633/metrics | grep -c '^dc_' || true)
  log "dcagent serves $series dc_* series"
  if ((series == 0)); then
    status=1
  fi
  # The secure path: the UPSes answer SNMPv3 only.
  for ups in ups-a ups-b; do
    v3=$(curl -fsS http://127.0.0.1:19633/metrics |
      awk -v d="dcagent_target_up{device=\"$ups\"}" '$1 == d {print $2}')
    log "dcagent polls $ups over SNMPv3: up=${v3:-not yet polled}"
    [[ "${v3:-1}" == 1 ]] || status=1
  done
  if ((prom_up)); then
    up=$(curl -fsS --get --data-urlencode 'query=up{job="dcagent"}' \
      http://127.0.0.1:19090/api/v1/query |
      /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")')
    log "Prometheus sees dcagent up=$up"
    [[ "$up" == 1 ]] || status=1
  fi
fi
exit "$status"
