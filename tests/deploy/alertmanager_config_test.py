#!/usr/bin/python3
"""deploy/alertmanager/alertmanager.yml: valid for amtool, routes alerts
by severity and site to the intended receivers, and inhibits as its
comments say, checked against a real Alertmanager on loopback."""

import os
import subprocess
import tempfile
import time
import unittest

import dctest

CONFIG = os.path.join(dctest.SourceDir(), "deploy", "alertmanager",
                      "alertmanager.yml")

# Labels of an alert, and the receivers it must reach, in order.
ROUTES = [
    ({"alertname": "UpsOnBattery", "severity": "critical", "site": "main"},
     ["main-oncall", "main-facility"]),
    ({"alertname": "PduPhaseLoadHigh", "severity": "warning",
      "site": "main"}, ["main-facility"]),
    ({"alertname": "UpsOnBattery", "severity": "critical",
      "site": "branch"}, ["facility-oncall", "facility-team"]),
    ({"alertname": "HumidityOutOfRange", "severity": "warning",
      "site": "branch"}, ["facility-team"]),
    ({"alertname": "CapacityExhaustionPredicted", "severity": "info",
      "site": "main"}, ["capacity-planners"]),
    ({"alertname": "DcagentDown", "severity": "critical"},
     ["monitoring-team"]),
    ({"alertname": "DevicePollErrors", "severity": "warning",
      "site": "main"}, ["monitoring-team"]),
    ({"alertname": "DeviceUnreachable", "severity": "critical",
      "site": "main"}, ["main-oncall", "main-facility"]),
    ({"alertname": "Unknown"}, ["facility-team"]),
]


def Amtool(*args):
    return subprocess.run(["amtool", *args], capture_output=True,
                          text=True)


class AlertmanagerConfigTest(unittest.TestCase):

    def test_amtool_accepts_the_config(self):
        result = Amtool("check-config", CONFIG)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_alerts_reach_the_receivers_of_their_site_and_severity(self):
        for labels, receivers in ROUTES:
            args = [f"{k}={v}" for k, v in labels.items()]
            result = Amtool("config", "routes", "test",
                            f"--config.file={CONFIG}", *args)
            got = result.stdout.strip().splitlines()[-1].split(",")
            self.assertEqual(got, receivers, labels)


def Alert(name, **labels):
    return {"labels": dict(alertname=name, **labels),
            "annotations": {"summary": name},
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


class InhibitionTest(unittest.TestCase):
    """Posts alerts to a real Alertmanager and reads which it mutes."""

    def test_inhibitions(self):
        with tempfile.TemporaryDirectory(prefix="dc-am-") as work, \
                dctest.Processes(work) as processes:
            manager = dctest.Alertmanager(processes, CONFIG)
            manager.PostAlerts([
                # An unreachable device mutes its own other alerts only.
                Alert("DeviceUnreachable", device="pdu-r01-a", site="main",
                      severity="critical"),
                Alert("PduPhaseLoadHigh", device="pdu-r01-a", site="main",
                      phase="L1", severity="warning"),
                Alert("PduPhaseLoadHigh", device="pdu-r02-a", site="main",
                      phase="L1", severity="warning"),
                # A UPS on battery mutes supply voltage alerts at its site.
                Alert("UpsOnBattery", device="ups-a1", site="main",
                      severity="critical"),
                Alert("InputVoltageAbnormal", device="meter-main",
                      site="main", point="meter", severity="warning"),
                Alert("InputVoltageAbnormal", device="meter-branch",
                      site="branch", point="meter", severity="warning"),
                # The allowable limit mutes the recommended one.
                Alert("InletTemperatureAboveAllowable", device="env-r01",
                      source="probe", sensor="inlet", site="main",
                      severity="critical"),
                Alert("InletTemperatureAboveRecommended", device="env-r01",
                      source="probe", sensor="inlet", site="main",
                      severity="warning"),
            ])
            expected = {
                ("DeviceUnreachable", "pdu-r01-a"): "active",
                ("PduPhaseLoadHigh", "pdu-r01-a"): "suppressed",
                ("PduPhaseLoadHigh", "pdu-r02-a"): "active",
                ("UpsOnBattery", "ups-a1"): "active",
                ("InputVoltageAbnormal", "meter-main"): "suppressed",
                ("InputVoltageAbnormal", "meter-branch"): "active",
                ("InletTemperatureAboveAllowable", "env-r01"): "active",
                ("InletTemperatureAboveRecommended", "env-r01"):
                    "suppressed",
            }

            def States():
                alerts = manager.Alerts()
                states = {(a["labels"]["alertname"], a["labels"]["device"]):
                          a["status"]["state"] for a in alerts}
                return states if states == expected else None

            try:
                dctest.WaitFor("the expected inhibitions", States, 15,
                               manager.process)
            except AssertionError:
                self.fail(f"got {manager.Alerts()}")


if __name__ == "__main__":
    dctest.RequireTools("amtool")
    dctest.AlertmanagerBinary()
    unittest.main()
