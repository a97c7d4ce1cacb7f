#!/usr/bin/python3
"""Every dashboard query parses and returns data from a real Prometheus.

Prometheus (started here on a free loopback port, with the project's rule
files) scrapes one of two sources:

- by default the stand-in exporter, which serves every schema metric for a
  small facility with one leaking floor sensor, so that the alert panels
  have an alert to show; standin_dcplan_rules.yml records the planner's
  series for it. Every query must return data.
- with --dcagent and --dcsim, the real agent polling the simulator, with
  one UPS put on battery. A query may then come back empty only when the
  simulated devices do not provide a schema metric it reads (no series of
  it exists at all, counting those recorded series are made of), or when
  it lists growing resources and none has grown over the test's minute;
  each excused query is printed with the reason.

Variables are set to "All".
"""

import os
import sys
import tempfile
import time

import yaml

import dashboard_queries
import dctest
import real_facility
import standin_exporter

HERE = os.path.dirname(os.path.abspath(__file__))


def StandIn(work, processes):
    facility = standin_exporter.Facility()
    facility.SetLeak("env-r01", True)
    exporter = standin_exporter.Exporter(facility).__enter__()
    prometheus = dctest.Prometheus(
        processes, dctest.PrometheusConfig("dcagent", [exporter.address]),
        dctest.TestRuleFiles(work) +
        [os.path.join(HERE, "standin_dcplan_rules.yml")])
    return prometheus, exporter, lambda expr: False


def RecordedInputs(work):
    """For each recorded series, the series its rule reads, directly or
    through other recorded series."""
    paths = dctest.TestRuleFiles(work)
    direct = {}
    for path in paths + [os.path.join(HERE, "standin_dcplan_rules.yml")]:
        with open(path) as f:
            for group in yaml.safe_load(f)["groups"]:
                for rule in group["rules"]:
                    if "record" in rule:
                        direct.setdefault(rule["record"], set()).update(
                            dashboard_queries.MetricNames(rule["expr"]))
    closed = {}
    for name in direct:
        seen, todo = set(), [name]
        while todo:
            for used in direct.get(todo.pop(), set()):
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
        closed[name] = seen
    return closed


def Real(work, processes, dcagent, dcsim):
    facility = real_facility.RealFacility(processes, dcagent, dcsim)
    prometheus = dctest.Prometheus(
        processes, dctest.PrometheusConfig("dcagent", [facility.address]),
        dctest.TestRuleFiles(work) +
        [os.path.join(HERE, "standin_dcplan_rules.yml")])
    dctest.WaitFor("the first device series",
                   lambda: prometheus.Query("dc_device_info"), 60,
                   prometheus.process)
    facility.Event("ups_on_battery", "ups-a1")

    inputs = RecordedInputs(work)

    def AllowEmpty(expr):
        names = dashboard_queries.MetricNames(expr)
        for name in list(names):
            names |= inputs.get(name, set())
        # Schema series a device of the hall does not have, and read
        # errors, which a healthy hall does not make (the stand-in run
        # checks those queries with data).
        absent = sorted(n for n in names
                        if (n.startswith("dc_") or
                            n == "dcagent_poll_errors_total") and
                        not prometheus.Query(f"count({n})"))
        if absent:
            print(f"excused (no {', '.join(absent)} in the hall): {expr}")
            return True
        if "dc:capacity_days_to_exhaustion" in names:
            print(f"excused (nothing grew during the test): {expr}")
            return True
        return False

    return prometheus, None, AllowEmpty


def Main():
    args = dctest.ParseEndToEndArgs(__doc__)

    with tempfile.TemporaryDirectory(prefix="dc-dash-") as work, \
            dctest.Processes(work) as processes:
        if args.dcagent and args.dcsim:
            prometheus, exporter, allow_empty = Real(
                work, processes, args.dcagent, args.dcsim)
        else:
            prometheus, exporter, allow_empty = StandIn(work, processes)
        try:
            # Wait for the slowest series: a firing alert, and the
            # forecasts, which need two evaluations of the capacity rules.
            for expr in ('ALERTS{alertstate="firing"}',
                         "dc:capacity_utilization_ratio:predict180d",
                         "rate(dcagent_items_read_total[15s])"):
                dctest.WaitFor(expr, lambda e=expr: prometheus.Query(e), 90,
                               prometheus.process)
            if exporter is not None:
                dctest.WaitFor(
                    "a forecast of exhaustion",
                    lambda: prometheus.Query("dc:capacity_days_to_exhaustion"),
                    60, prometheus.process)

            # Series made of series made of rules fill in over a few
            # evaluations: query again for a while before calling a
            # query empty.
            deadline = time.monotonic() + 30
            failures = dashboard_queries.CheckAll(prometheus, allow_empty)
            while failures and time.monotonic() < deadline:
                time.sleep(2)
                failures = dashboard_queries.CheckAll(prometheus,
                                                      allow_empty)
            if failures:
                print("\n".join(failures))
                processes.PrintLogs()
                return 1
        finally:
            if exporter is not None:
                exporter.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(Main())
