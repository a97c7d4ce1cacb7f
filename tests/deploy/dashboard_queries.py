"""Runs every dashboard's variable and panel queries against a Prometheus
server, the way Grafana would with every variable at "All".

Shared by the query tests: one feeds Prometheus from the stand-in
exporter, one from the real dcagent polling dcsim.
"""

import glob
import json
import os
import re
import time

import dctest

ALL = ".*"
PROMETHEUS_SERIES = {"ALERTS", "ALERTS_FOR_STATE", "up",
                     "scrape_duration_seconds", "scrape_samples_scraped"}
# Grafana's interval variables, at values that suit a 1 s scrape interval.
BUILTINS = {"__rate_interval": "15s", "__interval": "1s", "__range": "1m"}


def Dashboards():
    pattern = os.path.join(dctest.SourceDir(), "dashboards", "*.json")
    paths = sorted(glob.glob(pattern))
    if not paths:
        raise AssertionError(f"no dashboard matches {pattern}")
    dashboards = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            dashboards.append((os.path.basename(path), json.load(f)))
    return dashboards


def Substitute(expr, variables):
    """Replaces $name and ${name} with the variable's value."""
    def Value(match):
        name = match.group(1) or match.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name in variables:
            return variables[name]
        raise AssertionError(f"undefined variable ${name} in {expr!r}")
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", Value, expr)


def VariableQuery(prometheus, query, variables):
    """Evaluates a Grafana `label_values(selector, label)` query."""
    match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query.strip())
    if match is None:
        raise AssertionError(f"unsupported variable query {query!r}")
    selector = Substitute(match.group(1), variables)
    return prometheus.LabelValues(match.group(2), selector)


def MetricNames(expr):
    """Names in a PromQL expression that look like series of this project
    (dc_, dcagent_, dc:) or that Prometheus makes, outside label matchers
    and strings."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "{}", without_strings)
    tokens = re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", without_matchers)
    return {t for t in tokens
            if t.startswith(("dc_", "dcagent_", "dc:")) or
            t in PROMETHEUS_SERIES}


def CheckAll(prometheus, allow_empty=lambda expr: False):
    """Runs every query; returns a list of failures ("dashboard / panel:
    problem"). `allow_empty(expr)` may excuse a query that parses but has
    no data (for metrics a simulation does not produce)."""
    failures = []
    checked = 0
    now = time.time()
    for file_name, dashboard in Dashboards():
        variables = {}
        for variable in dashboard["templating"]["list"]:
            if variable["type"] != "query":
                continue
            where = f"{file_name} / variable {variable['name']}"
            try:
                values = VariableQuery(prometheus,
                                       variable["query"]["query"], variables)
                if not values:
                    failures.append(f"{where}: no values")
            except (dctest.QueryError, AssertionError) as error:
                failures.append(f"{where}: {error}")
            variables[variable["name"]] = ALL
            checked += 1

        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                where = (f"{file_name} / {panel['title']} / "
                         f"{target['refId']}")
                try:
                    expr = Substitute(target["expr"], variables)
                    if target.get("instant"):
                        result = prometheus.Query(expr, at=now)
                    else:
                        result = prometheus.QueryRange(expr, now - 30, now, 1)
                except (dctest.QueryError, AssertionError) as error:
                    failures.append(f"{where}: {error}")
                    continue
                checked += 1
                if not result and not allow_empty(expr):
                    failures.append(f"{where}: no data for {expr}")
    print(f"checked {checked} queries")
    return failures
