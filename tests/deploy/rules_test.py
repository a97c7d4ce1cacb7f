#!/usr/bin/python3
"""The Prometheus side of the deployment, checked with promtool.

    rules_test.py check        rule files and example configurations parse
    rules_test.py unit FILE    one promtool unit-test file passes
    rules_test.py coverage     every alert has a unit test that fires it,
                               one where it stays quiet, the annotations a
                               runbook needs, and a runbook section in
                               docs/operator-guide.md
"""

import glob
import os
import re
import subprocess
import sys

import yaml

import dctest

SOURCE = dctest.SourceDir()
RULES = sorted(glob.glob(
    os.path.join(SOURCE, "deploy/prometheus/rules/*.yml")))
UNIT_TESTS = sorted(glob.glob(
    os.path.join(SOURCE, "tests/deploy/rules/*.yml")))
CONFIGS = [os.path.join(SOURCE, "deploy/prometheus/prometheus.yml")] + sorted(
    glob.glob(os.path.join(SOURCE, "deploy/scaling/prometheus-*.yml")))
GUIDE = os.path.join(SOURCE, "docs/operator-guide.md")


def Promtool(*args):
    result = subprocess.run(["promtool", *args], capture_output=True,
                            text=True)
    print(result.stdout + result.stderr)
    return result.returncode


def Check():
    failed = Promtool("check", "rules", *RULES)
    for config in CONFIGS:
        failed |= Promtool("check", "config", "--syntax-only", config)
    for path in glob.glob(os.path.join(
            SOURCE, "deploy/prometheus/file_sd/*.yml")):
        with open(path) as f:
            groups = yaml.safe_load(f)
        for group in groups:
            if not group.get("targets"):
                print(f"{path}: a group without targets")
                failed = 1
    return 1 if failed else 0


def Alerts():
    alerts = {}
    for path in RULES:
        with open(path) as f:
            for group in yaml.safe_load(f)["groups"]:
                for rule in group["rules"]:
                    if "alert" in rule:
                        alerts[rule["alert"]] = rule
    return alerts


def Coverage():
    alerts = Alerts()
    fired, quiet = set(), set()
    for path in UNIT_TESTS:
        with open(path) as f:
            for test in yaml.safe_load(f)["tests"]:
                for case in test.get("alert_rule_test", []):
                    (fired if case.get("exp_alerts") else quiet).add(
                        case["alertname"])
    with open(GUIDE) as f:
        headings = set(re.findall(r"^### (\w+)\s*$", f.read(), re.MULTILINE))

    problems = []
    for name, rule in sorted(alerts.items()):
        if name not in fired:
            problems.append(f"{name}: no unit test fires it")
        if name not in quiet:
            problems.append(f"{name}: no unit test shows it quiet")
        if rule.get("labels", {}).get("severity") not in (
                "critical", "warning", "info"):
            problems.append(f"{name}: severity must be critical, warning "
                            "or info")
        annotations = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not annotations.get(key):
                problems.append(f"{name}: no {key} annotation")
        if not annotations.get("runbook_url", "").endswith(
                f"operator-guide.md#{name.lower()}"):
            problems.append(f"{name}: runbook_url does not point to its "
                            "section of operator-guide.md")
        if name not in headings:
            problems.append(f"{name}: no '### {name}' runbook section in "
                            "docs/operator-guide.md")
    for name in sorted((fired | quiet) - set(alerts)):
        problems.append(f"{name}: tested but not defined")
    print("\n".join(problems) or f"{len(alerts)} alerts covered")
    return 1 if problems else 0


def Main(argv):
    dctest.RequireTools("promtool")
    if argv[1:] == ["check"]:
        return Check()
    if len(argv) == 3 and argv[1] == "unit":
        # promtool resolves rule_files relative to the test file.
        return Promtool("test", "rules", argv[2])
    if argv[1:] == ["coverage"]:
        return Coverage()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(Main(sys.argv))
