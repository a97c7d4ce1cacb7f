#!/usr/bin/python3
"""dcplan end to end against the real chain: dcsim serves two racks' A and
B PDUs and a 2N pair of RFC 1628 UPSes on loopback, dcagent polls them
every second, a real Prometheus scrapes the agent every second and
evaluates the rules `dcplan rules` writes for the same inventory. Then:

- `dcplan report --prometheus` must report, for every rack feed, the mean
  of exactly the samples Prometheus holds for that PDU (the test reads the
  raw samples itself and averages them), and each rack's load as the sum
  of its feeds; the text, JSON and HTML reports must be produced;
- the recorded UPS group output must equal, at each evaluation, the sum
  over the group's UPSes of their total output, or of their per-phase
  output where the total is absent (the RFC 1628 UPS reports phases only).

    e2e_prometheus_test.py --dcplan DCPLAN --dcagent DCAGENT --dcsim DCSIM
    e2e_prometheus_test.py --skip REASON

Exit code 77 (skipped) when Prometheus or a program is missing.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "deploy"))
import dctest  # noqa: E402  (the deployment tests' process helpers)

# Simulated device, model, extra keys of its [[device]] table.
DEVICES = [
    ("ups-a", "ups-rfc1628", 'feed = "A"\nrated_kw = 40'),
    ("ups-b", "ups-rfc1628", 'feed = "B"\nrated_kw = 40'),
    ("pdu-r01-a", "apc-rpdu2", 'feed = "A"\nrack = 1'),
    ("pdu-r01-b", "apc-rpdu2", 'feed = "B"\nrack = 1'),
    ("pdu-r02-a", "apc-rpdu2", 'feed = "A"\nrack = 2'),
    ("pdu-r02-b", "apc-rpdu2", 'feed = "B"\nrack = 2'),
]
# Plan feed id -> the PDU the agent names `device`.
FEEDS = {"r01-a": "pdu-r01-a", "r01-b": "pdu-r01-b",
         "r02-a": "pdu-r02-a", "r02-b": "pdu-r02-b"}
UPSES = ["ups-a", "ups-b"]
# Samples per PDU to wait for before the agent is stopped.
MIN_SAMPLES = 12
# Long enough to hold the whole run, and read as one mean (step = history).
WINDOW = "15m"

PLAN = """
[site]
name = "e2e"
[policy]
breaker_derating = 0.8
ups_max_load = 0.9
power_factor = 0.95
[scenario]
name = "measured"
[growth]
power = { method = "percent", percent_per_year = 10 }
[[source]]
id = "utility"
kind = "utility"
kw = 200
[[switchgear]]
id = "swg"
inputs = ["utility"]
[[ups]]
id = "ups-a"
upstream = "swg"
module_kw = 40
group = "pair"
device = "ups-a"
[[ups]]
id = "ups-b"
upstream = "swg"
module_kw = 40
group = "pair"
device = "ups-b"
[[panel]]
id = "pa"
upstream = "ups-a"
breaker_amps = 100
[[panel]]
id = "pb"
upstream = "ups-b"
breaker_amps = 100
[[cooling]]
id = "crah-1"
kind = "crah"
kw = 40
zone = "z"
[[cooling]]
id = "crah-2"
kind = "crah"
kw = 40
zone = "z"
[[room]]
id = "hall-1"
rack_positions = 10
""" + "".join(f"""
[[rack]]
id = "{rack}"
room = "hall-1"
zone = "z"
max_kw = 20
budget_kw = 1
[[feed]]
id = "{rack}-a"
rack = "{rack}"
panel = "pa"
side = "A"
breaker_amps = 32
device = "{FEEDS[rack + '-a']}"
[[feed]]
id = "{rack}-b"
rack = "{rack}"
panel = "pb"
side = "B"
breaker_amps = 32
device = "{FEEDS[rack + '-b']}"
""" for rack in ("r01", "r02"))


def FleetText(control):
    lines = ["[sim]", 'bind = "127.0.0.1"', f'control = "{control}"',
             "seed = 11", "", "[hall]", 'site = "e2e"', 'room = "hall-1"',
             "it_load_kw = 12", "noise = 0.02", ""]
    for name, model, extra in DEVICES:
        lines += ["[[device]]", f'name = "{name}"', f'model = "{model}"',
                  f"port = {dctest.FreePort()}", extra, ""]
    return "\n".join(lines)


def StartChain(processes, dcsim, dcagent, rules_path):
    """dcsim, dcagent polling it every second, Prometheus scraping the agent
    every second with the planner's rules. Returns (agent, prometheus)."""
    work = processes.work_dir
    control = f"127.0.0.1:{dctest.FreePort()}"
    fleet = os.path.join(work, "fleet.toml")
    with open(fleet, "w") as f:
        f.write(FleetText(control))
    agent_address = f"127.0.0.1:{dctest.FreePort()}"
    agent_config = os.path.join(work, "dcagent.toml")
    sim = processes.Start("dcsim", [
        dcsim, "--fleet", fleet, "--control", control,
        "--write-agent-config", agent_config,
        "--agent-listen", agent_address, "--agent-interval", "1s"])
    dctest.WaitFor("dcsim to be ready",
                   lambda: "dcsim ready" in processes.Log("dcsim"), 30, sim)
    agent = processes.Start(
        "dcagent", [dcagent, "--config", agent_config],
        env=dict(os.environ, DCSIM_COMMUNITY="public"))
    dctest.WaitFor("dcagent to be ready",
                   lambda: dctest.HttpGet(f"http://{agent_address}/-/ready"),
                   30, agent)
    prometheus = dctest.Prometheus(
        processes, dctest.PrometheusConfig("dcagent", [agent_address]),
        rule_files=[rules_path])
    return agent, prometheus


def RawSamples(prometheus, expr):
    """{labels as a sorted tuple: [(t, value), ...]} of a range selector."""
    out = {}
    for series in prometheus.Query(expr):
        key = tuple(sorted(series["metric"].items()))
        out[key] = [(float(t), float(v)) for t, v in series["values"]]
    return out


def ExpectedFeedWatts(prometheus):
    """Each PDU's mean draw over the samples Prometheus holds, summed over
    its units."""
    expected = {}
    for feed, device in FEEDS.items():
        series = RawSamples(
            prometheus, f'dc_pdu_input_watts{{device="{device}"}}[{WINDOW}]')
        assert series, f"Prometheus holds no dc_pdu_input_watts of {device}"
        expected[feed] = sum(sum(v for _, v in samples) / len(samples)
                             for samples in series.values())
    return expected


def ExpectedUpsGroupWatts(prometheus, at):
    """What the group's UPSes output at `at`: each UPS's total, or the sum
    of its phases where it reports no total."""
    total = 0.0
    for ups in UPSES:
        whole = prometheus.Query(f'dc_ups_output_watts{{device="{ups}"}}', at)
        phases = prometheus.Query(
            f'dc_ups_output_phase_watts{{device="{ups}"}}', at)
        parts = whole if whole else phases
        assert parts, f"{ups} reports no output power at {at}"
        total += sum(float(s["value"][1]) for s in parts)
    return total


def Close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def CheckUpsGroupRule(prometheus, problems):
    recorded = RawSamples(
        prometheus,
        f'dc:ups_group_output_watts:sum{{ups_group="pair"}}[{WINDOW}]')
    if not recorded:
        problems.append("no dc:ups_group_output_watts:sum was recorded")
        return
    samples = next(iter(recorded.values()))
    checked = 0
    for t, value in samples[-5:]:
        expected = ExpectedUpsGroupWatts(prometheus, t)
        checked += 1
        if not Close(value, expected):
            problems.append(f"UPS group output recorded {value} W at {t}, "
                            f"the UPSes output {expected} W")
    print(f"UPS group rule: {checked} evaluations match the UPSes' output")


def CheckReport(dcplan, prometheus, work, problems):
    plan = os.path.join(work, "plan.toml")
    json_path = os.path.join(work, "report.json")
    html_path = os.path.join(work, "report.html")
    result = subprocess.run(
        [dcplan, "report", plan, "--prometheus", prometheus.url,
         "--history", WINDOW, "--step", WINDOW, "--json", json_path,
         "--html", html_path], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        problems.append(f"dcplan report exited {result.returncode}: "
                        f"{result.stdout}{result.stderr}")
        return
    if f"loads: prometheus {prometheus.url}" not in result.stdout:
        problems.append(f"the text report does not name its loads:\n"
                        f"{result.stdout[:400]}")
    with open(html_path) as f:
        if "<svg" not in f.read():
            problems.append("the HTML report has no chart")
    with open(json_path) as f:
        report = json.load(f)

    expected = ExpectedFeedWatts(prometheus)
    measured = report["measured"]["feed_watts"]
    for feed, watts in expected.items():
        got = measured.get(feed)
        print(f"feed {feed}: Prometheus mean {watts:.3f} W, "
              f"dcplan {got} W")
        if got is None or not Close(got, watts):
            problems.append(f"feed {feed}: dcplan measured {got} W, "
                            f"Prometheus holds a mean of {watts} W")
    racks = {r["rack"]: r for r in report["racks"]}
    for rack in ("r01", "r02"):
        want = expected[f"{rack}-a"] + expected[f"{rack}-b"]
        got = racks[rack]["load_w"]
        if not Close(got, want):
            problems.append(f"rack {rack}: load {got} W, its feeds "
                            f"measure {want} W")
    if not any(s["scope_kind"] == "rack" and s["scope"] == "r01"
               for s in report["timeline"]):
        problems.append("the timeline has no series for rack r01's feeds")


def Main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--dcplan")
    parser.add_argument("--dcagent")
    parser.add_argument("--dcsim")
    parser.add_argument("--skip")
    args = parser.parse_args(argv[1:])
    if args.skip:
        dctest.Skip(args.skip)
    dctest.RequireTools("prometheus")
    for program in (args.dcplan, args.dcagent, args.dcsim):
        if not program or not os.access(program, os.X_OK):
            dctest.Skip(f"{program} is not built")
    # The processes run in a scratch folder.
    args.dcplan, args.dcagent, args.dcsim = (
        os.path.abspath(p) for p in (args.dcplan, args.dcagent, args.dcsim))

    began = time.monotonic()
    problems = []
    with tempfile.TemporaryDirectory() as work, \
            dctest.Processes(work) as processes:
        plan = os.path.join(work, "plan.toml")
        with open(plan, "w") as f:
            f.write(PLAN)
        rules = os.path.join(work, "dcplan.yml")
        subprocess.run([args.dcplan, "rules", plan, "-o", rules], check=True)
        agent, prometheus = StartChain(processes, args.dcsim, args.dcagent,
                                       rules)

        def enough_history():
            counts = prometheus.Query(
                f"count_over_time(dc_pdu_input_watts[{WINDOW}])")
            devices = {s["metric"].get("device"): float(s["value"][1])
                       for s in counts}
            return all(devices.get(d, 0) >= MIN_SAMPLES
                       for d in FEEDS.values())
        dctest.WaitFor(f"{MIN_SAMPLES} samples of every PDU", enough_history,
                       60, agent, interval=0.5)

        # Freeze the history: with the agent gone, every read below sees
        # the same samples, whenever it runs.
        processes.Stop(agent)
        time.sleep(2)

        CheckUpsGroupRule(prometheus, problems)
        CheckReport(args.dcplan, prometheus, work, problems)
        if problems:
            processes.PrintLogs(20)
    print(f"took {time.monotonic() - began:.1f} s")
    print("\n".join(problems) or "dcplan reads what Prometheus holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(Main(sys.argv))
