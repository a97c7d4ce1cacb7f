#!/usr/bin/python3
"""The dashboard JSON is well formed for Grafana and reads only known
series.

Checked for every dashboard: unique uid; panel ids unique; grid positions
inside the 24 columns and not overlapping; every data source reference
names the dashboard's Prometheus data-source variable; the site, room,
rack and device variables exist; every `$variable` in a query is defined;
every metric a query names is in the schema (collectors/common/schema.cc),
the agent's own metrics (agent/self_metrics.cc), a recording rule of
deploy/prometheus/rules/ or of `dcplan rules` (planner/rules.cc), or a
series Prometheus itself makes. Also: the
JSON is what dashboards/generate.py writes, and the provisioning file
points where CMake installs the dashboards.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import dashboard_queries
import dctest

SOURCE = dctest.SourceDir()
DASHBOARDS = os.path.join(SOURCE, "dashboards")
GRAFANA_VARIABLES = {"__rate_interval", "__interval", "__range"}
REQUIRED_VARIABLES = ["datasource", "site", "room", "rack", "device"]


def LoadDashboards():
    paths = sorted(glob.glob(os.path.join(DASHBOARDS, "*.json")))
    dashboards = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            dashboards.append((os.path.basename(path), json.load(f)))
    return dashboards


def KnownSeries():
    names = set(dashboard_queries.PROMETHEUS_SERIES)
    with open(os.path.join(SOURCE, "collectors/common/schema.cc")) as f:
        names |= set(re.findall(r'\{"(dc_[a-z0-9_]+)"', f.read()))
    self_metrics = os.path.join(SOURCE, "agent/self_metrics.cc")
    if os.path.exists(self_metrics):
        with open(self_metrics) as f:
            for name, kind in re.findall(
                    r'\{"(dcagent_[a-z0-9_]+)",\s*"(\w+)"', f.read()):
                names.add(name)
                if kind == "histogram":
                    names |= {f"{name}_bucket", f"{name}_sum",
                              f"{name}_count"}
    # The series `dcplan rules` records, named in its source.
    planner_rules = os.path.join(SOURCE, "planner/rules.cc")
    if os.path.exists(planner_rules):
        with open(planner_rules) as f:
            names |= set(re.findall(r'Record\(\s*"(dc:[^"]+)"', f.read()))
    for path in glob.glob(os.path.join(SOURCE,
                                       "deploy/prometheus/rules/*.yml")):
        with open(path) as f:
            names |= set(re.findall(r"^\s*- record:\s*(\S+)", f.read(),
                                    re.MULTILINE))
    return names


def Overlaps(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
            a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


class DashboardStructureTest(unittest.TestCase):

    def setUp(self):
        self.dashboards = LoadDashboards()
        self.assertGreaterEqual(len(self.dashboards), 5)

    def test_uids_are_unique(self):
        uids = [d["uid"] for _, d in self.dashboards]
        self.assertEqual(len(uids), len(set(uids)), uids)

    def test_panel_ids_are_unique(self):
        for name, dashboard in self.dashboards:
            ids = [p["id"] for p in dashboard["panels"]]
            ids += [p["id"] for row in dashboard["panels"]
                    for p in row.get("panels", [])]
            self.assertEqual(len(ids), len(set(ids)), name)

    def test_panels_fit_the_grid_without_overlapping(self):
        for name, dashboard in self.dashboards:
            places = []
            for panel in dashboard["panels"]:
                grid = panel["gridPos"]
                where = f"{name}: {panel['title']}"
                self.assertGreaterEqual(grid["x"], 0, where)
                self.assertGreater(grid["w"], 0, where)
                self.assertGreater(grid["h"], 0, where)
                self.assertLessEqual(grid["x"] + grid["w"], 24, where)
                for other_where, other in places:
                    self.assertFalse(Overlaps(grid, other),
                                     f"{where} overlaps {other_where}")
                places.append((where, grid))

    def test_variables_are_defined(self):
        for name, dashboard in self.dashboards:
            variables = {v["name"]: v for v in
                         dashboard["templating"]["list"]}
            for required in REQUIRED_VARIABLES:
                self.assertIn(required, variables, name)
            source = variables["datasource"]
            self.assertEqual(source["type"], "datasource", name)
            self.assertEqual(source["query"], "prometheus", name)

    def test_data_source_references_name_the_variable(self):
        expected = {"type": "prometheus", "uid": "${datasource}"}
        for name, dashboard in self.dashboards:
            for variable in dashboard["templating"]["list"]:
                if variable["type"] == "query":
                    self.assertEqual(variable["datasource"], expected, name)
            for panel in dashboard["panels"]:
                if panel["type"] == "row":
                    continue
                where = f"{name}: {panel['title']}"
                self.assertEqual(panel["datasource"], expected, where)
                self.assertTrue(panel["targets"], where)
                for target in panel["targets"]:
                    self.assertEqual(target["datasource"], expected, where)

    def test_queries_use_defined_variables_and_known_series(self):
        known = KnownSeries()
        for name, dashboard in self.dashboards:
            defined = {v["name"] for v in dashboard["templating"]["list"]}
            defined |= GRAFANA_VARIABLES
            queries = [(f"{name}: variable {v['name']}", v["query"]["query"])
                       for v in dashboard["templating"]["list"]
                       if v["type"] == "query"]
            queries += [(f"{name}: {p['title']}", t["expr"])
                        for p in dashboard["panels"]
                        for t in p.get("targets", [])]
            for where, expr in queries:
                for variable in re.findall(r"\$\{?(\w+)", expr):
                    self.assertIn(variable, defined, where)
                for metric in dashboard_queries.MetricNames(expr):
                    self.assertIn(metric, known, f"{where}: {expr}")

    def test_ref_ids_are_unique_within_a_panel(self):
        for name, dashboard in self.dashboards:
            for panel in dashboard["panels"]:
                refs = [t["refId"] for t in panel.get("targets", [])]
                self.assertEqual(len(refs), len(set(refs)),
                                 f"{name}: {panel['title']}")

    def test_json_is_what_the_generator_writes(self):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable,
                            os.path.join(DASHBOARDS, "generate.py"), out],
                           check=True)
            generated = sorted(os.listdir(out))
            self.assertEqual(generated,
                             sorted(name for name, _ in self.dashboards))
            for name in generated:
                with open(os.path.join(out, name), encoding="utf-8") as a, \
                        open(os.path.join(DASHBOARDS, name),
                             encoding="utf-8") as b:
                    self.assertEqual(
                        a.read(), b.read(),
                        f"{name} differs from generate.py's output; run "
                        "dashboards/generate.py")

    def test_provisioning_points_to_the_installed_dashboards(self):
        with open(os.path.join(DASHBOARDS, "CMakeLists.txt")) as f:
            cmake = f.read()
        self.assertIn("${CMAKE_INSTALL_DATADIR}/dcagent/dashboards", cmake)
        with open(os.path.join(DASHBOARDS, "provisioning",
                               "dashboards.yml")) as f:
            self.assertIn("path: /usr/share/dcagent/dashboards", f.read())


if __name__ == "__main__":
    unittest.main()
