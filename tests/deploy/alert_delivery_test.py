#!/usr/bin/python3
"""End to end: a UPS goes on battery and the page arrives, then its
resolution.

Real Prometheus (with the project's rule files) and Alertmanager (with
deploy/alertmanager/alertmanager.yml) run on loopback. The source of
metrics is the stand-in exporter, or with --dcagent and --dcsim the real
agent polling the simulator. The routing tree, grouping and inhibitions
are the deployed ones; only the receivers are replaced by webhooks to a
receiver run by this test (one URL path per receiver name) and the
notification timers shortened to seconds.
"""

import http.server
import json
import os
import sys
import tempfile
import threading
import time

import yaml

import dctest
import real_facility
import standin_exporter

CONFIG = os.path.join(dctest.SourceDir(), "deploy", "alertmanager",
                      "alertmanager.yml")
UPS = "ups-a1"


class WebhookReceiver:
    """Records every notification Alertmanager posts, by receiver."""

    def __init__(self):
        self.lock = threading.Lock()
        self.notifications = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                with receiver.lock:
                    receiver.notifications.append((self.path[1:], body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *unused):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def Find(self, receiver, status, alertname):
        with self.lock:
            for path, body in self.notifications:
                if path != receiver:
                    continue
                for alert in body["alerts"]:
                    if (alert["status"] == status and
                            alert["labels"]["alertname"] == alertname):
                        return alert
        return None

    def Close(self):
        self.server.shutdown()
        self.server.server_close()


def TestAlertmanagerConfig(work, webhook_url):
    with open(CONFIG) as f:
        config = yaml.safe_load(f)
    for receiver in config["receivers"]:
        name = receiver["name"]
        for key in list(receiver):
            if key.endswith("_configs"):
                del receiver[key]
        receiver["webhook_configs"] = [
            {"url": f"{webhook_url}/{name}", "send_resolved": True}]

    def Shorten(route):
        for key in ("group_wait", "group_interval"):
            if key in route:
                route[key] = "1s"
        for child in route.get("routes", []):
            Shorten(child)

    Shorten(config["route"])
    config["route"]["group_wait"] = "1s"
    config["route"]["group_interval"] = "1s"
    path = os.path.join(work, "alertmanager.yml")
    with open(path, "w") as f:
        yaml.safe_dump(config, f)
    return path


def Main():
    args = dctest.ParseEndToEndArgs(__doc__)
    dctest.AlertmanagerBinary()
    real = bool(args.dcagent and args.dcsim)

    facility = standin_exporter.Facility()
    webhook = WebhookReceiver()
    with tempfile.TemporaryDirectory(prefix="dc-e2e-") as work, \
            standin_exporter.Exporter(facility) as exporter, \
            dctest.Processes(work) as processes:
        if real:
            hall = real_facility.RealFacility(processes, args.dcagent,
                                              args.dcsim)
            source, room = hall.address, real_facility.ROOM

            def SetOnBattery(on_battery):
                hall.Event("ups_on_battery" if on_battery else
                           "ups_on_mains", UPS)
        else:
            source, room = exporter.address, "elec-1"

            def SetOnBattery(on_battery):
                facility.SetOnBattery(UPS, on_battery)

        manager = dctest.Alertmanager(
            processes, TestAlertmanagerConfig(work, webhook.url))
        prometheus = dctest.Prometheus(
            processes,
            dctest.PrometheusConfig("dcagent", [source],
                                    alertmanager_port=manager.port),
            dctest.TestRuleFiles(work))
        dctest.WaitFor(f'{UPS}\'s output source',
                       lambda: prometheus.Query(
                           f'dc_ups_output_source{{device="{UPS}"}} == 1'),
                       60, prometheus.process)

        started = time.monotonic()
        SetOnBattery(True)
        alert = dctest.WaitFor(
            "the on-battery page",
            lambda: webhook.Find("main-oncall", "firing", "UpsOnBattery"),
            120, prometheus.process)
        print(f"page after {time.monotonic() - started:.1f} s "
              "(the rule waits 30 s)")
        expected = {"alertname": "UpsOnBattery", "severity": "critical",
                    "device": UPS, "site": "main", "room": room,
                    "source": "battery", "job": "dcagent",
                    "redundancy_group": "ups-1", "instance": source}
        if alert["labels"] != expected:
            raise AssertionError(f"labels {alert['labels']}, expected "
                                 f"{expected}")
        runbook = alert["annotations"].get("runbook_url", "")
        if not runbook.endswith("#upsonbattery"):
            raise AssertionError(f"runbook_url {runbook!r}")
        dctest.WaitFor(
            "the facility team's copy",
            lambda: webhook.Find("main-facility", "firing", "UpsOnBattery"),
            30, manager.process)

        SetOnBattery(False)
        dctest.WaitFor(
            "the resolution",
            lambda: webhook.Find("main-oncall", "resolved", "UpsOnBattery"),
            60, manager.process)
        print(f"resolved after {time.monotonic() - started:.1f} s")
    webhook.Close()
    return 0


if __name__ == "__main__":
    sys.exit(Main())
