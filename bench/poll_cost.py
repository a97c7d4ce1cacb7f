#!/usr/bin/python3
"""dcagent's own cost of polling SNMP devices, alone, in about a minute.

bench/run.sh compares dcagent with its peers over minutes of wall time.
This measures dcagent by itself, to see what a change to the poll path
gained: dcsim serves N UPS-MIB devices (`dcsim --devices N`), dcagent
polls them with `profile = "auto"` every INTERVAL, and once every device
has been polled WARMUP times the window opens. The window lasts WINDOW
intervals; nothing scrapes /metrics inside it (only at its two ends), so
the figure is the poll path, not the exposition.

Printed per fleet size, one line each:
  cpu_us_per_varbind  dcagent CPU time in the window / varbinds it read
  cpu_us_per_poll     the same / successful polls in the window
  vmhwm_kib           peak resident set at the end of the window
and, for two sizes or more, KiB per target (VmHWM growth between the two
largest sizes over the added devices).

With --callgrind, dcagent runs under valgrind's callgrind tool, whose
instruction counts repeat from run to run even on a busy machine: the
counters are zeroed when the window opens and dumped when it closes, and
instructions per varbind and per poll are printed instead (VmHWM is then
valgrind's, not dcagent's). callgrind slows dcagent about fifty times, so
keep the fleet small (20 devices at a 2 s interval works).

Everything listens on 127.0.0.1 on ports chosen free at run time; every
process started is stopped at the end, also on an error or Ctrl-C.
Run `bench/poll_cost.py --help` for the options.
"""

import argparse
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TICK = 1.0 / os.sysconf("SC_CLK_TCK")


def newest(pattern):
    found = [p for p in glob.glob(os.path.join(REPO, pattern))
             if os.access(p, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_range(count):
    """A first port such that `count` consecutive UDP ports are free."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count >= 65535:
            continue
        taken = []
        try:
            for port in range(first, first + count):
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                taken.append(u)
                u.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for u in taken:
                u.close()
    raise RuntimeError("no range of %d free UDP ports" % count)


class Children:
    """Every process started, each in its own session; stop() ends all."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.procs = []

    def start(self, name, argv, env=None):
        log = open(os.path.join(self.log_dir, name + ".log"), "ab")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                env=dict(os.environ, **(env or {})),
                                start_new_session=True)
        log.close()
        proc.name = name
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in list(self.procs):
            self.stop(proc)

    def log(self, name):
        with open(os.path.join(self.log_dir, name + ".log"), "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = (int(fields[11]) + int(fields[12])) * TICK
    exact = 0.0
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(path) as f:
                exact += int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
    return exact, ticks


def vmhwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


COUNTER = re.compile(
    rb"^dcagent_(polls_total|items_read_total)\{([^}]*)\} (\S+)$", re.M)


def counters(port):
    """Successful polls, failed polls and items read, over all targets."""
    url = "http://127.0.0.1:%d/metrics" % port
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    ok = failed = items = 0.0
    for match in COUNTER.finditer(body):
        value = float(match.group(3))
        if match.group(1) == b"items_read_total":
            items += value
        elif b'result="success"' in match.group(2):
            ok += value
        else:
            failed += value
    return ok, failed, items


def wait_for(predicate, timeout, what, children, proc):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("%s exited:\n%s" % (proc.name,
                                                   children.log(proc.name)))
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("timed out waiting for " + what)


def write_config(path, first_port, devices, interval, listen, profile_root):
    out = ["[agent]", 'listen = "127.0.0.1:%d"' % listen,
           'profile_dirs = ["%s"]' % profile_root,
           'log_level = "warn"', "",
           "[snmp.auth.bench]", 'version = "2c"',
           'community_env = "POLL_COST_COMMUNITY"', ""]
    for i in range(devices):
        out += ["[[target]]", 'name = "ups-%05d"' % (i + 1),
                'protocol = "snmp"',
                'address = "udp:127.0.0.1:%d"' % (first_port + i),
                'auth = "bench"', 'profile = "auto"',
                'interval = "%gs"' % interval, ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def callgrind_total(path):
    """The summed Ir of a callgrind dump."""
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + path)


def measure(args, devices, work, children):
    """One fleet size: returns a dict of the figures."""
    first = free_udp_range(devices)
    sim = children.start("dcsim-%d" % devices, [
        args.dcsim, "--devices", str(devices), "--first-port", str(first),
        "--models", args.models, "--quiet"])
    listen = free_port()
    config = os.path.join(work, "dcagent-%d.toml" % devices)
    write_config(config, first, devices, args.interval, listen, args.profiles)
    argv = [args.dcagent, "--config", config]
    dump = os.path.join(work, "callgrind.%d.out" % devices)
    if args.callgrind:
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + dump,
                "--dump-instr=no", "--collect-atstart=yes"] + argv
    agent = children.start("dcagent-%d" % devices, argv,
                           env={"POLL_COST_COMMUNITY": "public"})

    # Warm-up: every device polled `warmup` times, sessions open, profile
    # chosen, every allocation pool at its working size.
    want = devices * args.warmup
    wait_for(lambda: counters(listen)[0] >= want,
             args.interval * (args.warmup + 2) * (40 if args.callgrind else 2)
             + 60, "%d successful polls" % want, children, agent)
    pid = agent.pid
    before = counters(listen)
    if args.callgrind:
        subprocess.run(["callgrind_control", "-z", str(pid)], check=True,
                       stdout=subprocess.DEVNULL)
    cpu_before = cpu_seconds(pid)
    time.sleep(args.window * args.interval)
    cpu_after = cpu_seconds(pid)
    if args.callgrind:
        for old in glob.glob(dump + "*"):
            os.remove(old)
        subprocess.run(["callgrind_control", "-d", str(pid)], check=True,
                       stdout=subprocess.DEVNULL)
        dumps = wait_for(lambda: glob.glob(dump + ".*"), 60, "the dump",
                         children, agent)
    after = counters(listen)
    hwm = vmhwm_kib(pid)

    polls = after[0] - before[0]
    failed = after[1] - before[1]
    items = after[2] - before[2]
    exact = cpu_after[0] - cpu_before[0]
    ticks = cpu_after[1] - cpu_before[1]
    cpu = ticks if ticks > exact + 0.03 else exact
    result = {"devices": devices, "polls": int(polls), "failed": int(failed),
              "items": int(items), "cpu_s": cpu, "vmhwm_kib": hwm}
    if polls and items:
        result["cpu_us_per_varbind"] = cpu * 1e6 / items
        result["cpu_us_per_poll"] = cpu * 1e6 / polls
    if args.callgrind:
        instructions = sum(callgrind_total(d) for d in dumps)
        result["instructions"] = instructions
        if polls and items:
            result["instr_per_varbind"] = instructions / items
            result["instr_per_poll"] = instructions / polls
    children.stop(agent)
    children.stop(sim)
    return result


def report(result, callgrind):
    line = "devices=%(devices)d polls=%(polls)d failed=%(failed)d " \
           "varbinds=%(items)d" % result
    if "cpu_us_per_varbind" in result:
        line += " cpu_us_per_varbind=%.2f cpu_us_per_poll=%.0f" % (
            result["cpu_us_per_varbind"], result["cpu_us_per_poll"])
    if callgrind and "instr_per_varbind" in result:
        line += " instr_per_varbind=%.0f instr_per_poll=%.0f" % (
            result["instr_per_varbind"], result["instr_per_poll"])
    if not callgrind:
        line += " vmhwm_kib=%d" % result["vmhwm_kib"]
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(
        description="dcagent's CPU per SNMP varbind and memory, polling "
        "dcsim's UPS-MIB devices alone (see the top of this file).")
    parser.add_argument("--sizes", default="100,1000",
                        help="fleet sizes, comma-separated (default "
                        "100,1000)")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="poll interval, seconds (default 5)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="polls per device before the window (default 2)")
    parser.add_argument("--window", type=int, default=4,
                        help="window length in intervals (default 4)")
    parser.add_argument("--dcagent", default=newest("build*/agent/dcagent"),
                        help="dcagent binary (default: newest build*/)")
    parser.add_argument("--dcsim", default=newest("build*/sim/dcsim"),
                        help="dcsim binary (default: newest build*/)")
    parser.add_argument("--models", default=None,
                        help="dcsim model folder (default: a copy of "
                        "sim/models/ups-rfc1628.toml alone)")
    parser.add_argument("--profiles", default=None,
                        help="profile root holding snmp/ (default: a copy of "
                        "the checkout's collectors/snmp/profiles)")
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions with valgrind instead of "
                        "CPU time")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (logs, configs, dumps)")
    args = parser.parse_args()
    if not args.dcagent or not args.dcsim:
        parser.error("no dcagent or dcsim binary found; pass --dcagent and "
                     "--dcsim")
    sizes = [int(s) for s in args.sizes.split(",") if s]

    work = tempfile.mkdtemp(prefix="poll-cost-")
    children = Children(work)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if not args.models:
            args.models = os.path.join(work, "models")
            os.mkdir(args.models)
            shutil.copy(os.path.join(REPO, "sim/models/ups-rfc1628.toml"),
                        args.models)
        if not args.profiles:
            args.profiles = os.path.join(work, "profiles")
            shutil.copytree(os.path.join(REPO, "collectors/snmp/profiles"),
                            os.path.join(args.profiles, "snmp"))
        print("dcagent=%s dcsim=%s interval=%gs window=%d intervals%s" % (
            args.dcagent, args.dcsim, args.interval, args.window,
            " (callgrind)" if args.callgrind else ""), flush=True)
        results = []
        for devices in sizes:
            results.append(measure(args, devices, work, children))
            report(results[-1], args.callgrind)
        if len(results) >= 2 and not args.callgrind:
            a, b = results[-2], results[-1]
            per_target = (b["vmhwm_kib"] - a["vmhwm_kib"]) / (
                b["devices"] - a["devices"])
            print("kib_per_target=%.1f (VmHWM growth from %d to %d devices)"
                  % (per_target, a["devices"], b["devices"]))
    finally:
        children.stop_all()
        if args.keep:
            print("work folder: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
