"""bench/run.sh's entry point: options, the run's phases, the results.

A run has an SNMP phase per fleet size and a Modbus phase. In each repeat
of a phase all collectors start fresh against the same running fleet, poll
it side by side during a warm-up of 1.25 intervals (so every device has been
polled once and the window does not start during collectd's read burst)
and then during the measurement window, whose CPU time and polls are what
the table reports.
"""

import argparse
import asyncio
import glob
import json
import os
import platform
import shlex
import shutil
import sys
import time

from . import collectd
from . import collector
from . import dcagent
from . import device_model
from . import fleet as fleet_lib
from . import procs
from . import report
from . import scrape
from . import snmp_exporter
from . import usage

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SNMP_PEERS = ["snmp_exporter", "collectd-bulk", "collectd-next"]


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="Polls one simulated fleet with dcagent, snmp_exporter "
        "and collectd side by side and reports each collector's own CPU "
        "time per varbind and per poll, peak memory, polls on time and "
        "/metrics render time. Loopback only; everything it starts is "
        "stopped when it ends.")
    p.add_argument("--quick", action="store_true",
                   help="a couple of minutes: 100 and 500 devices, 10 s "
                   "interval, 2 windows, 2 repeats, 20 Modbus devices")
    p.add_argument("--sizes", default="100,1000,10000",
                   help="SNMP fleet sizes, comma separated "
                   "(default %(default)s)")
    p.add_argument("--interval", type=float, default=60.0,
                   help="poll interval in seconds (default %(default)s)")
    p.add_argument("--windows", type=int, default=1,
                   help="measurement window length in intervals "
                   "(default %(default)s)")
    p.add_argument("--repeats", type=int, default=3,
                   help="repeats per fleet size (default %(default)s)")
    p.add_argument("--modbus-devices", type=int, default=100,
                   help="Modbus fleet size, 0 to skip (default %(default)s)")
    p.add_argument("--modbus-interval", type=float, default=10.0,
                   help="Modbus poll interval in seconds "
                   "(default %(default)s)")
    p.add_argument("--render-devices", type=int, default=18500,
                   help="fleet size of the /metrics render measurement "
                   "(18,500 UPS agents make about a million series; dcsim "
                   "needs one file descriptor per device): dcagent polls it, "
                   "then /metrics is fetched three times; 0 to skip "
                   "(default %(default)s)")
    p.add_argument("--collectors",
                   default="dcagent,snmp_exporter,collectd-bulk,collectd-next",
                   help="which collectors to run (default %(default)s)")
    p.add_argument("--collectd-output", choices=["network", "prometheus"],
                   default="network",
                   help="how values leave collectd: its network plugin to "
                   "the harness, or write_prometheus scraped once per "
                   "interval (costly beyond a few hundred devices) "
                   "(default %(default)s)")
    p.add_argument("--fleet", choices=["auto", "dcsim", "fallback"],
                   default="auto",
                   help="dcsim, or snmpsim+pymodbus (small fleets only); "
                   "auto takes dcsim when built (default %(default)s)")
    p.add_argument("--dcagent", help="dcagent binary (default: "
                   "build/agent/dcagent, else the newest build*/agent/dcagent)")
    p.add_argument("--dcagent-args", default="--config {config}",
                   help="dcagent arguments, {config} is the generated file "
                   "(default %(default)r)")
    p.add_argument("--dcsim", help="dcsim binary (default: build/sim/dcsim, "
                   "else the newest build*/sim/dcsim)")
    p.add_argument("--out", help="results folder (default: "
                   "bench/results/YYYYmmdd-HHMMSS)")
    p.add_argument("--report", metavar="DIR",
                   help="only rewrite DIR/results.md from DIR/results.json "
                   "and print it")
    p.add_argument("--self-check", action="store_true",
                   help="only generate every peer configuration for a "
                   "synthetic fleet and have the peers validate it; seconds")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.interval, args.windows = "100,500", 10.0, 2
        args.repeats, args.modbus_devices, args.modbus_interval = 2, 20, 5.0
        args.render_devices = 2000
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.collectors = [c for c in args.collectors.split(",") if c]
    return args


def newest_binary(relative):
    """build/RELATIVE (what deploy/setup-debian.sh builds), else the newest
    build*/RELATIVE."""
    preferred = os.path.join(REPO, "build", relative)
    if os.access(preferred, os.X_OK):
        return preferred
    candidates = glob.glob(os.path.join(REPO, "build*", relative))
    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    return max(candidates, key=os.path.getmtime) if candidates else None


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return "%s, %d cores, %.0f GiB, Linux %s" % (
        cpu, os.cpu_count(), mem_kib / 2**20, platform.release())


def stop_debian_services():
    """Debian may start its own snmp_exporter and collectd on install."""
    for service in ("prometheus-snmp-exporter", "collectd"):
        if shutil.which("systemctl") and os.path.isdir("/run/systemd/system"):
            os.system("systemctl stop %s >/dev/null 2>&1" % service)
        elif os.path.exists("/etc/init.d/" + service):
            os.system("/etc/init.d/%s stop >/dev/null 2>&1" % service)


def make_collectors(args, supervisor, work_dir, protocol, interval, fleet):
    made = []

    def folder(name):
        path = os.path.join(work_dir, name)
        os.makedirs(path, exist_ok=True)
        return path

    wants_dcagent = "dcagent" in args.collectors and args.dcagent and (
        protocol == "snmp" or fleet.dcagent_modbus_profile)
    if wants_dcagent:
        name = "dcagent" if protocol == "snmp" else "dcagent-modbus"
        made.append(dcagent.Dcagent(supervisor, folder(name), interval,
                                    protocol, args.dcagent, args.dcagent_args,
                                    label=name,
                                    profile_root=args.profile_root))
    if protocol == "modbus":
        made.append(collectd.Collectd(supervisor, folder("collectd"),
                                      interval, "modbus", label="collectd",
                                      output=args.collectd_output))
        return made
    if "snmp_exporter" in args.collectors:
        made.append(snmp_exporter.SnmpExporter(
            supervisor, folder("snmp_exporter"), interval))
    if "collectd-bulk" in args.collectors:
        made.append(collectd.Collectd(
            supervisor, folder("collectd-bulk"), interval, "snmp",
            bulk_size=snmp_exporter.MAX_REPETITIONS, label="collectd-bulk",
            output=args.collectd_output))
    if "collectd-next" in args.collectors:
        made.append(collectd.Collectd(
            supervisor, folder("collectd-next"), interval, "snmp",
            label="collectd-next", output=args.collectd_output))
    return made


async def measure(collectors, fleet, interval, windows):
    """One repeat: warm-up, window, counts. Returns WindowResults."""
    t0 = time.monotonic()
    window_start = t0 + 1.25 * interval
    window_end = window_start + windows * interval
    for c in collectors:
        c.window_seconds = window_end - window_start
    background = [asyncio.ensure_future(c.run_until(t0, window_start,
                                                    window_end))
                  for c in collectors]

    await collector.sleep_until(window_start)
    for c in collectors:
        c.check_alive()
    fleet.check_alive()
    for c in collectors:
        c.begin_window()
    during = [asyncio.ensure_future(c.after_begin(window_start, window_end))
              for c in collectors]

    await collector.sleep_until(window_end)
    results = []
    for c in collectors:
        result = collector.WindowResult(c.name)
        c.end_window(result)
        results.append(result)
    await asyncio.gather(*during)
    await asyncio.gather(*background)
    for c, result in zip(collectors, results):
        await c.finish(result)
        await c.measure_render(result)
        c.check_alive()
    return results


def ephemeral_ports():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return high - low + 1
    except (OSError, ValueError):
        return 28232


def fits_two_collectd(size):
    """collectd keeps one UDP socket (an ephemeral port) per SNMP host.

    Two collectd instances at once, next to snmp_exporter's and dcagent's
    sockets and dcsim's listening ports, exhaust the ephemeral range at
    around ten thousand devices: sessions then fail with "Address already in
    use" and every collector's figures suffer.
    """
    return 3 * size < ephemeral_ports()


def run_phase(args, supervisor, out_dir, phase, size, interval, fleet, run):
    wanted = args.collectors
    if phase == "snmp" and not fits_two_collectd(size) and \
            "collectd-bulk" in wanted and "collectd-next" in wanted:
        print("bench: %d devices: collectd-next left out, two collectd "
              "instances would exhaust the %d ephemeral ports" %
              (size, ephemeral_ports()), flush=True)
        run.setdefault("skipped", []).append(
            "collectd-next at %d devices (ephemeral ports)" % size)
        args.collectors = [c for c in wanted if c != "collectd-next"]
    try:
        _run_phase(args, supervisor, out_dir, phase, size, interval, fleet,
                   run)
    finally:
        args.collectors = wanted


def _run_phase(args, supervisor, out_dir, phase, size, interval, fleet, run):
    for repeat in range(1, args.repeats + 1):
        work_dir = os.path.join(out_dir, "work", "%s-%d-r%d" %
                                (phase, size, repeat))
        os.makedirs(work_dir, exist_ok=True)
        supervisor.log_dir = work_dir
        collectors = make_collectors(args, supervisor, work_dir, phase,
                                     interval, fleet)
        print("[%s] %s %d devices, repeat %d/%d: %s" % (
            time.strftime("%H:%M:%S"), phase, size, repeat, args.repeats,
            ", ".join(c.name for c in collectors)), flush=True)
        try:
            for c in collectors:
                c.start(fleet)
            results = asyncio.run(measure(collectors, fleet, interval,
                                             args.windows))
        finally:
            for c in collectors:
                c.stop()
        window = {"phase": phase, "devices": size, "repeat": repeat,
                  "results": [r.as_dict() for r in results]}
        run["windows"].append(window)
        for r in results:
            print("    %-14s cpu %.3f s, values %d, on time %d/%d, "
                  "late %d, failed %d, VmHWM %.1f MiB" % (
                      r.name, r.cpu_seconds, r.values_read, r.polls_on_time,
                      r.polls_expected, r.polls_late, r.polls_failed,
                      r.vm_hwm / 2**20), flush=True)
        write_results(out_dir, run)


async def measure_render(agent, devices):
    """Waits until dcagent polled every device, then times GET /metrics."""
    deadline = time.monotonic() + agent.interval + 120
    while True:
        agent.check_alive()
        response = await agent.scrape_metrics()
        counts = dcagent.self_counters(response.body)
        if counts["ok"] + counts["failed"] >= devices:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("dcagent polled %d of %d devices in time" %
                               (counts["ok"] + counts["failed"], devices))
        await asyncio.sleep(10)
    fetches = []
    for _ in range(3):
        before = usage.Usage(agent.pid)
        response = await agent.scrape_metrics()
        after = usage.Usage(agent.pid)
        fetches.append((response.seconds,
                        usage.cpu_seconds_between(before, after),
                        len(response.body)))
    fetches.sort()
    seconds, cpu, size = fetches[1]
    # dcagent's own figure for its last render, if it exports one.
    own = None
    marker = b"\ndcagent_exposition_render_seconds "
    at = response.body.find(marker)
    if at >= 0:
        own = float(response.body[at + len(marker):].split(None, 1)[0])
    return {"devices": devices, "series": scrape.count_samples(response.body),
            "bytes": size, "seconds": seconds, "cpu_seconds": cpu,
            "own_render_seconds": own,
            "polls_ok": counts["ok"], "polls_failed": counts["failed"],
            "vm_hwm": after.memory.get("VmHWM", 0)}


def run_render(args, supervisor, out_dir, fleet, run):
    work_dir = os.path.join(out_dir, "work", "render-%d" % args.render_devices)
    os.makedirs(work_dir, exist_ok=True)
    supervisor.log_dir = work_dir
    # The run's interval: dcagent may spread its first round over it, and
    # the polls going on while /metrics is fetched are part of its CPU time.
    agent = dcagent.Dcagent(supervisor, work_dir, args.interval, "snmp",
                            args.dcagent, args.dcagent_args,
                            profile_root=args.profile_root)
    print("[%s] render: dcagent polls %d devices, then /metrics x3" %
          (time.strftime("%H:%M:%S"), args.render_devices), flush=True)
    try:
        agent.start(fleet)
        result = asyncio.run(measure_render(agent, args.render_devices))
    finally:
        agent.stop()
    print("    %d series (%.1f MiB) rendered and fetched in %.3f s, "
          "%.3f s of dcagent CPU" % (result["series"], result["bytes"] / 2**20,
                                     result["seconds"], result["cpu_seconds"]),
          flush=True)
    run["render"].append(result)


def write_results(out_dir, run):
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(run, f, indent=1)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(report.markdown(run))


def self_check(args):
    """Writes each peer's configuration for a synthetic model and checks it."""
    import tempfile
    for tool in ("prometheus-snmp-exporter", "collectd"):
        if not shutil.which(tool):
            print("self-check skipped: %s is not installed" % tool)
            return 77
    work = tempfile.mkdtemp(prefix="dcbench-check-")
    model = device_model.DeviceModel(device_model.parse_walk("\n".join(
        ".%s = %s: %s" % (
            oid, {2: "INTEGER", 66: "Gauge32", 65: "Counter32",
                  67: "Timeticks", 4: "STRING", 6: "OID"}[int(kind)], value)
        for oid, kind, value in (line.split("|") for line in
                                 device_model.synthetic_snmprec()
                                 .splitlines()))))
    devices = [fleet_lib.Device("snmp%05d" % i, "127.0.0.1", port)
               for i, port in enumerate(procs.free_udp_ports(3))]
    failures = []
    with open(os.path.join(work, "snmp.yml"), "w") as f:
        f.write(snmp_exporter.module_yaml(model, "public"))
    status = os.system("prometheus-snmp-exporter --dry-run --config.file="
                       "%s/snmp.yml >%s/snmp_exporter.log 2>&1" % (work, work))
    if status != 0:
        failures.append("snmp_exporter rejected snmp.yml")
    for label, bulk, output in (("bulk", 25, "network"),
                                ("next", None, "prometheus")):
        # Nothing answers these devices: keep collectd's one read short.
        conf, types = collectd.snmp_conf(model, devices, "public", 60, bulk,
                                         work, output, procs.free_port(),
                                         timeout=0.2, retries=0)
        with open(os.path.join(work, "types.db"), "w") as f:
            f.write(types)
        path = os.path.join(work, "collectd-%s.conf" % label)
        with open(path, "w") as f:
            f.write(conf)
        ok, text = collectd.check_config(path)
        if not ok:
            failures.append("collectd rejected %s: %s" % (path, text))
    conf, types = collectd.modbus_conf(fleet_lib.synthetic_modbus_model(),
                                       devices, 10, work, "network",
                                       procs.free_port())
    with open(os.path.join(work, "types.db"), "w") as f:
        f.write(types)
    path = os.path.join(work, "collectd-modbus.conf")
    with open(path, "w") as f:
        f.write(conf)
    ok, text = collectd.check_config(path)
    if not ok:
        failures.append("collectd rejected %s: %s" % (path, text))
    toml = dcagent.config_toml(9100, devices, "auto", devices, "bench", 60)
    try:
        import tomllib
        tomllib.loads(toml)
    except Exception as error:  # tomllib.TOMLDecodeError
        failures.append("dcagent configuration is not TOML: %s" % error)
    binary = args.dcagent or newest_binary("agent/dcagent")
    if binary and not os.access(binary, os.X_OK):
        print("self-check: %s is not built; its configuration is not "
              "checked" % binary)
    elif binary:
        path = os.path.join(work, "dcagent.toml")
        with open(path, "w") as f:
            f.write(dcagent.config_toml(
                procs.free_port(), devices, "auto", [], "", 60,
                dcagent.snapshot_profiles(REPO, work)))
        status = os.system("%s=public %s --check-config --config %s "
                           ">%s/dcagent.log 2>&1" % (
                               dcagent.COMMUNITY_ENV, shlex.quote(binary),
                               path, work))
        if status != 0:
            failures.append("dcagent --check-config rejected %s" % path)
    print("self-check: %d varbinds in the synthetic model (%s); configs in %s"
          % (model.count, model.describe(), work))
    for failure in failures:
        print("self-check FAILED: " + failure)
    if not failures:
        shutil.rmtree(work)
        print("self-check: all generated configurations accepted")
    return 1 if failures else 0


def main(argv):
    args = parse_args(argv)
    if args.self_check:
        return self_check(args)
    if args.report:
        with open(os.path.join(args.report, "results.json")) as f:
            run = json.load(f)
        write_results(args.report, run)
        print(report.markdown(run))
        return 0
    for tool in ("prometheus-snmp-exporter", "collectd", "snmpbulkwalk"):
        if not shutil.which(tool):
            print("bench: %s is not installed; run deploy/setup-debian.sh" %
                  tool, file=sys.stderr)
            return 2
    args.dcagent = args.dcagent or newest_binary("agent/dcagent")
    args.dcsim = args.dcsim or newest_binary("sim/dcsim")
    if args.fleet == "auto":
        args.fleet = "dcsim" if args.dcsim else "fallback"
    if args.fleet == "dcsim" and not args.dcsim:
        print("bench: dcsim not built; build it or use --fleet fallback",
              file=sys.stderr)
        return 2
    if not args.dcagent:
        print("bench: dcagent not built: measuring the peers only",
              file=sys.stderr)
    stop_debian_services()

    out_dir = args.out or os.path.join(REPO, "bench", "results",
                                       time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    args.profile_root = dcagent.snapshot_profiles(REPO, out_dir)
    supervisor = procs.Supervisor(out_dir)
    run = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
           "machine": machine(), "command": "bench/run.sh " +
           " ".join(shlex.quote(a) for a in argv),
           "interval": args.interval, "window_seconds":
           args.windows * args.interval, "repeats": args.repeats,
           "fleet": args.fleet, "dcagent": args.dcagent,
           "dcsim": args.dcsim, "modbus_interval": args.modbus_interval,
           "collectd_output": args.collectd_output,
           "windows": [], "render": []}
    estimate = len(args.sizes) * args.repeats * (1.25 + args.windows) * \
        args.interval + (args.repeats * (1.25 + args.windows) *
                         args.modbus_interval if args.modbus_devices else 0)
    if args.render_devices and args.dcagent:
        estimate += args.interval + 30
    print("bench: results in %s; measuring for about %.0f min plus start-up"
          % (out_dir, estimate / 60), flush=True)
    try:
        for size in args.sizes:
            fleet = fleet_lib.make_fleet(args.fleet, supervisor, out_dir,
                                         args.dcsim)
            supervisor.log_dir = out_dir
            fleet.start(size, 0)
            run["model"] = "SNMP device: " + fleet.snmp_model.describe()
            try:
                run_phase(args, supervisor, out_dir, "snmp", size,
                          args.interval, fleet, run)
            finally:
                fleet.stop()
        if args.render_devices and args.dcagent:
            fleet = fleet_lib.make_fleet(args.fleet, supervisor, out_dir,
                                         args.dcsim)
            supervisor.log_dir = out_dir
            fleet.start(args.render_devices, 0)
            try:
                run_render(args, supervisor, out_dir, fleet, run)
            finally:
                fleet.stop()
        if args.modbus_devices:
            fleet = fleet_lib.make_fleet(args.fleet, supervisor, out_dir,
                                         args.dcsim)
            supervisor.log_dir = out_dir
            fleet.start(0, args.modbus_devices)
            try:
                run_phase(args, supervisor, out_dir, "modbus",
                          args.modbus_devices, args.modbus_interval, fleet,
                          run)
            finally:
                fleet.stop()
    finally:
        supervisor.stop_all()
        write_results(out_dir, run)
    print(report.markdown(run))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
