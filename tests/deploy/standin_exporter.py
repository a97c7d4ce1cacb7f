"""A stand-in for dcagent in the deployment tests: an HTTP endpoint on a
free loopback port serving, in the Prometheus text format, the series
dcagent would serve for a small simulated facility.

Which metrics exist, their classes and labels are read from the schema
itself (collectors/common/schema.cc), so every metric the schema gains is
served without changing this file; the agent's own per-target metrics
follow agent/self_metrics.cc. Values are plausible constants, and the
loads grow slowly so that forecasts have a trend. A test can change the
facility while it runs (put a UPS on battery, make a device unreachable).
"""

import http.server
import os
import re
import threading
import time

import dctest

# One device per line: name, class, labels the agent's target adds.
FACILITY = [
    ("ups-a1", "ups", {"site": "main", "room": "elec-1",
                       "redundancy_group": "ups-1"}),
    ("ups-b1", "ups", {"site": "main", "room": "elec-1",
                       "redundancy_group": "ups-1"}),
    ("ats-r03", "ats", {"site": "main", "room": "hall-1", "rack": "r03"}),
    ("pdu-r01-a", "pdu", {"site": "main", "room": "hall-1", "rack": "r01"}),
    ("pdu-r01-b", "pdu", {"site": "main", "room": "hall-1", "rack": "r01"}),
    ("pdu-r02-a", "pdu", {"site": "main", "room": "hall-1", "rack": "r02"}),
    ("crah-1", "cooling", {"site": "main", "room": "hall-1"}),
    ("env-r01", "environment", {"site": "main", "room": "hall-1",
                                "rack": "r01"}),
    ("meter-main", "meter", {"site": "main", "room": "elec-1"}),
    ("srv-r01-01", "server", {"site": "main", "room": "hall-1",
                              "rack": "r01"}),
    ("san-1", "storage", {"site": "main", "room": "hall-1", "rack": "r02"}),
]

# The values a label takes, and for state series which one is current.
LABEL_VALUES = {
    "phase": ["L1", "L2", "L3"],
    "sensor": ["inlet", "exhaust"],
    "bank": ["1", "2"],
    "outlet": ["1", "2", "3"],
    "psu": ["1", "2"],
    "fan": ["1"],
    "pool": ["pool-1"],
    "component": ["controller"],
}
STATES = {
    "dc_ups_output_source": ("source", ["normal", "battery", "bypass"],
                             "normal"),
    "dc_ups_battery_status": ("status", ["normal", "low", "depleted"],
                              "normal"),
    "dc_ats_selected_source": ("source", ["A", "B", "none"], "A"),
    "dc_cooling_unit_state": ("state", ["on", "off", "standby", "alarm"],
                              "on"),
    "dc_server_health": ("state", ["ok", "warning", "critical"], "ok"),
    "dc_storage_health": ("state", ["ok", "warning", "critical"], "ok"),
}
# A label that is not a state but names an input (ATS sources A and B).
INPUT_SOURCES = {"dc_ats_source_volts": ["A", "B"],
                 "dc_ats_source_frequency_hertz": ["A", "B"]}

# Exact values first, then by name ending.
EXACT = {
    "dc_ups_battery_runtime_seconds": 1800,
    "dc_ups_on_battery_seconds": 0,
    "dc_ups_battery_volts": 54.2,
    "dc_ups_battery_amperes": 0,
    "dc_ups_rated_watts": 20000,
    "dc_ups_rated_voltamperes": 20000,
    "dc_ups_battery_replace_needed": 0,
    "dc_pdu_phase_rated_amperes": 16,
    "dc_pdu_bank_rated_amperes": 16,
    "dc_pdu_outlet_on": 1,
    "dc_ats_redundancy_ok": 1,
    "dc_cooling_alarm": 0,
    "dc_device_alarms": 0,
    "dc_env_water_leak": 0,
    "dc_env_contact_open": 0,
    "dc_env_dewpoint_celsius": 9.5,
    "dc_cooling_supply_fluid_temperature_celsius": 12,
    "dc_cooling_return_fluid_temperature_celsius": 18,
    "dc_cooling_supply_air_temperature_celsius": 18,
    "dc_cooling_return_air_temperature_celsius": 32,
    "dc_cooling_setpoint_celsius": 20,
    "dc_storage_capacity_bytes": 100e12,
    "dc_meter_neutral_amperes": 1.5,
}
BY_ENDING = [
    ("_power_factor", 0.95),
    ("_load_ratio", 0.35),
    ("_ratio", 0.45),
    ("_celsius", 23.5),
    ("_volts", 230),
    ("_amperes", 6),
    ("_voltamperes", 3300),
    ("_watts", 3000),
    ("_hertz", 50),
    ("_rpm", 7200),
    ("_liters_per_second", 2.5),
    ("_bytes", 40e12),
    ("_seconds", 0),
]
# Metrics whose value grows (per second) from the start of the exporter.
GROWTH = {
    "_load_ratio": 1e-4,
    "dc_pdu_phase_amperes": 1e-3,
    "dc_pdu_bank_amperes": 1e-3,
    "dc_storage_used_bytes": 1e9,
    "_joules_total": 3000,
}

SELF_COUNTERS = ["dcagent_items_read_total"]


def ReadSchema():
    """[(name, type, class, [labels])] from collectors/common/schema.cc."""
    path = os.path.join(dctest.SourceDir(), "collectors", "common",
                        "schema.cc")
    with open(path) as f:
        text = f.read()
    entry = re.compile(
        r'\{"(dc_[a-z0-9_]+)",\s*k(\w+),\s*k(\w+),\s*\{([^}]*)\}')
    schema = []
    for name, kind, device_class, labels in entry.findall(text):
        schema.append((name, kind.lower(), device_class.lower(),
                       re.findall(r'"([a-z_]+)"', labels)))
    if not schema:
        raise RuntimeError(f"no metric found in {path}")
    return schema


def _Escape(value):
    return (str(value).replace("\\", "\\\\").replace('"', '\\"')
            .replace("\n", "\\n"))


def _Series(name, labels, value):
    text = ",".join(f'{k}="{_Escape(v)}"' for k, v in sorted(labels.items())
                    if v != "")
    return f"{name}{{{text}}} {value:.6g}\n"


class Facility:
    """The simulated devices and what can go wrong with them."""

    def __init__(self):
        self.schema = ReadSchema()
        self.start = time.time()
        self.lock = threading.Lock()
        self.on_battery = set()
        self.unreachable = set()
        self.leaking = set()

    def SetOnBattery(self, device, on_battery):
        with self.lock:
            (self.on_battery.add if on_battery else
             self.on_battery.discard)(device)

    def SetUnreachable(self, device, unreachable):
        with self.lock:
            (self.unreachable.add if unreachable else
             self.unreachable.discard)(device)

    def SetLeak(self, device, leaking):
        with self.lock:
            (self.leaking.add if leaking else self.leaking.discard)(device)

    def Render(self):
        with self.lock:
            elapsed = time.time() - self.start
            out = []
            for device, device_class, place in FACILITY:
                if device not in self.unreachable:
                    out.append(self._DeviceSeries(device, device_class,
                                                  place, elapsed))
            out.append(self._SelfSeries(elapsed))
            return "".join(out)

    def _DeviceSeries(self, device, device_class, place, elapsed):
        base = dict(place, device=device)
        out = [_Series("dc_device_info", dict(
            base, **{"class": device_class, "vendor": "Simulated",
                     "model": f"sim-{device_class}", "serial": device,
                     "firmware": "1.0", "profile": f"sim-{device_class}"}),
            1)]
        for name, kind, metric_class, labels in self.schema:
            if name == "dc_device_info":
                continue
            if metric_class != device_class and not (
                    metric_class == "any" and device_class == "environment"):
                continue
            for labelled in self._LabelSets(name, labels, base):
                value = self._Value(name, kind, labelled, device, elapsed)
                out.append(_Series(name, labelled, value))
        return "".join(out)

    def _LabelSets(self, name, labels, base):
        sets = [dict(base)]
        for label in labels:
            if name in STATES and label == STATES[name][0]:
                values = STATES[name][1]
            elif name in INPUT_SOURCES and label == "source":
                values = INPUT_SOURCES[name]
            elif label == "outlet_name":
                sets = [dict(s, outlet_name=f"server-{s['outlet']}")
                        for s in sets]
                continue
            else:
                values = LABEL_VALUES.get(label, ["1"])
            sets = [dict(s, **{label: v}) for s in sets for v in values]
        return sets

    def _Value(self, name, kind, labels, device, elapsed):
        on_battery = device in self.on_battery
        if name in STATES:
            label, _, current = STATES[name]
            if name == "dc_ups_output_source" and on_battery:
                current = "battery"
            return 1 if labels[label] == current else 0
        if name == "dc_ups_input_phase_volts" and on_battery:
            return 0
        if name == "dc_ups_on_battery_seconds" and on_battery:
            return 60
        if name == "dc_ups_battery_amperes" and on_battery:
            return 40
        if name == "dc_env_water_leak":
            return 1 if device in self.leaking else 0
        if name == "dc_env_temperature_celsius" and labels.get(
                "sensor") == "exhaust":
            return 35
        if name in EXACT:
            value = EXACT[name]
        else:
            value = next((v for ending, v in BY_ENDING
                          if name.endswith(ending)), 1)
            if kind == "counter":
                value = 1e6
        for key, rate in GROWTH.items():
            if name == key or (key.startswith("_") and name.endswith(key)):
                value += rate * elapsed
        return value

    def _SelfSeries(self, elapsed):
        polls = int(elapsed) + 1
        now = time.time()
        out = [_Series("dcagent_build_info", {"version": "0.1.0"}, 1),
               _Series("dcagent_config_last_reload_successful", {}, 1),
               _Series("dcagent_targets", {"protocol": "snmp"},
                       len(FACILITY))]
        for device, _, _ in FACILITY:
            down = device in self.unreachable
            labels = {"device": device}
            out.append(_Series("dcagent_target_up", labels, 0 if down else 1))
            out.append(_Series("dcagent_poll_duration_seconds", labels,
                               0.04))
            out.append(_Series("dcagent_last_success_timestamp_seconds",
                               labels, self.start if down else now))
            out.append(_Series("dcagent_items_read_total", labels,
                               40 * polls))
            out.append(_Series("dcagent_polls_missed_total", labels, 0))
            out.append(_Series("dcagent_polls_total",
                               dict(labels, result="success"), polls))
            out.append(_Series("dcagent_polls_total",
                               dict(labels, result="failure"),
                               polls if down else 0))
            out.append(_Series("dcagent_poll_errors_total",
                               dict(labels, reason="timeout"),
                               polls if down else 1))
        for bound, count in (("0.05", polls * 9), ("0.1", polls * 11),
                             ("+Inf", polls * 11)):
            out.append(_Series("dcagent_poll_duration_seconds_hist_bucket",
                               {"protocol": "snmp", "le": bound}, count))
        out.append(_Series("dcagent_poll_duration_seconds_hist_sum",
                           {"protocol": "snmp"}, polls * 0.5))
        out.append(_Series("dcagent_poll_duration_seconds_hist_count",
                           {"protocol": "snmp"}, polls * 11))
        return "".join(out)


class Exporter:
    """Serves a Facility on http://127.0.0.1:PORT/metrics."""

    def __init__(self, facility):
        self.facility = facility
        handler = _Handler
        handler.facility = facility
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      handler)
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *unused):
        self.server.shutdown()
        self.server.server_close()
        return False


class _Handler(http.server.BaseHTTPRequestHandler):
    facility = None

    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        body = self.facility.Render().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *unused):
        pass
