#!/usr/bin/python3
"""The rules `dcplan rules` writes fit the deployment: promtool accepts
them, they record every planner series the Capacity dashboard reads (and
that standin_dcplan_rules.yml imitates), and each alert they define has a
runbook section in docs/operator-guide.md.

    planner_rules_test.py DCPLAN
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

import dashboard_queries
import dctest

SOURCE = dctest.SourceDir()


def Main(argv):
    if argv[1:] == ["--skip"]:
        dctest.Skip("the dcplan target is not in this build")
    if len(argv) != 2:
        print(__doc__)
        return 2
    dcplan = argv[1]
    dctest.RequireTools("promtool")
    if not os.access(dcplan, os.X_OK):
        dctest.Skip(f"{dcplan} is not built")
    plans = sorted(glob.glob(os.path.join(SOURCE, "planner/examples/*.toml")))
    if not plans:
        dctest.Skip("planner/examples has no plan")

    problems = []
    with open(os.path.join(SOURCE, "dashboards/capacity.json")) as f:
        dashboard = yaml.safe_load(f)
    wanted = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            wanted |= {n for n in dashboard_queries.MetricNames(target["expr"])
                       if n.endswith(":sum")}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "standin_dcplan_rules.yml")) as f:
        imitated = set(re.findall(r"record:\s*(\S+)", f.read()))
    with open(os.path.join(SOURCE, "docs/operator-guide.md")) as f:
        headings = set(re.findall(r"^### (\w+)\s*$", f.read(), re.MULTILINE))

    with tempfile.TemporaryDirectory() as work:
        for plan in plans:
            out = os.path.join(work, os.path.basename(plan) + ".yml")
            result = subprocess.run([dcplan, "rules", plan, "-o", out],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                problems.append(f"dcplan rules {plan}: {result.stderr}")
                continue
            check = subprocess.run(["promtool", "check", "rules", out],
                                   capture_output=True, text=True)
            if check.returncode != 0:
                problems.append(f"promtool rejects the rules of {plan}: "
                                f"{check.stdout}{check.stderr}")
            with open(out) as f:
                groups = yaml.safe_load(f)["groups"]
            records = {r["record"] for g in groups for r in g["rules"]
                       if "record" in r}
            alerts = {r["alert"] for g in groups for r in g["rules"]
                      if "alert" in r}
            for name in sorted((wanted | imitated) - records):
                problems.append(f"{plan}: no rule records {name}, which the "
                                "Capacity dashboard or the stand-in reads")
            for name in sorted(alerts - headings):
                problems.append(f"{plan}: alert {name} has no '### {name}' "
                                "section in docs/operator-guide.md")
            print(f"{os.path.basename(plan)}: {len(records)} recorded series "
                  f"names, {len(alerts)} alert names")
    print("\n".join(problems) or "the planner's rules fit")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(Main(sys.argv))
