#!/usr/bin/python3
"""Writes the Grafana dashboards of dcmon as JSON.

The dashboards are kept as this program rather than as hand-edited JSON so
that every panel shares one data-source reference, one set of template
variables and a layout computed without overlaps. Run it after changing a
panel and commit the JSON it writes; the test dashboards_in_sync fails when
the two differ.

    dashboards/generate.py [OUTPUT_DIR]   (default: the folder of this file)

Every query reads the vendor-neutral schema of dcagent (docs/metrics.md)
or the recording rules built on it (deploy/prometheus/rules/), so each
dashboard serves every vendor.
"""

import json
import os
import sys

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

# Device series carry the placement labels the agent's targets define.
# "All" selects ".*", which also matches a series without the label (a UPS
# in an electrical room has no rack).
PLACE = 'site=~"$site", room=~"$room", rack=~"$rack", device=~"$device"'

# Output power of each UPS; UPS-MIB devices report it per output line only.
UPS_WATTS = (f"(dc_ups_output_watts{{{PLACE}}} or sum without (phase) "
             f"(dc_ups_output_phase_watts{{{PLACE}}}))")

# Rack inlet temperature as the alerts see it: environmental and PDU
# probes, cooling units' rack inlet readings and server inlet sensors
# (recording rule in deploy/prometheus/rules/dc-recording.yml).
INLET = f"dc:inlet_temperature_celsius{{{PLACE}}}"

# ASHRAE bands for inlet air: recommended 18-27 °C, A1 allowable 15-32 °C.
INLET_STEPS = [
    ("blue", None),
    ("yellow", 15),
    ("green", 18),
    ("orange", 27),
    ("red", 32),
]
# Share of a rating: 80 % is the continuous-load limit.
LOAD_STEPS = [("green", None), ("orange", 0.8), ("red", 1)]
# ASHRAE A1 allowable relative humidity: 8 % to 80 %.
HUMIDITY_STEPS = [("orange", None), ("green", 0.08), ("orange", 0.8)]


def Steps(steps):
    return {
        "mode": "absolute",
        "steps": [{"color": color, "value": value} for color, value in steps],
    }


def Target(expr, legend="", instant=False, ref="A"):
    target = {
        "datasource": DATASOURCE,
        "expr": expr,
        "legendFormat": legend,
        "refId": ref,
    }
    if instant:
        target["instant"] = True
        target["range"] = False
        target["format"] = "table"
    return target


class Panel:
    """One panel before layout: its kind, size and content."""

    def __init__(self, kind, title, targets, width=8, height=8, unit=None,
                 steps=None, description="", options=None, minimum=None,
                 maximum=None, threshold_style=None, mappings=None):
        self.kind = kind
        self.title = title
        self.targets = targets
        self.width = width
        self.height = height
        self.unit = unit
        self.steps = steps
        self.description = description
        self.options = options or {}
        self.minimum = minimum
        self.maximum = maximum
        self.threshold_style = threshold_style
        self.mappings = mappings or []

    def Json(self, panel_id, x, y):
        defaults = {"mappings": self.mappings}
        if self.unit:
            defaults["unit"] = self.unit
        if self.steps:
            defaults["thresholds"] = Steps(self.steps)
            # Lines keep one colour each; the bands show the thresholds.
            defaults["color"] = {"mode": "palette-classic"
                                 if self.kind == "timeseries" else
                                 "thresholds"}
        if self.minimum is not None:
            defaults["min"] = self.minimum
        if self.maximum is not None:
            defaults["max"] = self.maximum
        if self.threshold_style:
            defaults["custom"] = {
                "thresholdsStyle": {"mode": self.threshold_style}}
        targets = []
        for index, target in enumerate(self.targets):
            target = dict(target)
            target["refId"] = chr(ord("A") + index)
            targets.append(target)
        return {
            "id": panel_id,
            "type": self.kind,
            "title": self.title,
            "description": self.description,
            "datasource": DATASOURCE,
            "gridPos": {"x": x, "y": y, "w": self.width, "h": self.height},
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": self.options,
            "targets": targets,
        }


def TimeSeries(title, targets, **kwargs):
    return Panel("timeseries", title, targets, **kwargs)


def Stat(title, targets, **kwargs):
    kwargs.setdefault("width", 4)
    kwargs.setdefault("height", 5)
    kwargs.setdefault("options", {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                          "values": False},
        "colorMode": "background", "graphMode": "none",
        "textMode": "value_and_name"})
    return Panel("stat", title, targets, **kwargs)


def BarGauge(title, targets, **kwargs):
    kwargs.setdefault("options", {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                          "values": False},
        "orientation": "horizontal", "displayMode": "gradient",
        "showUnfilled": True})
    return Panel("bargauge", title, targets, **kwargs)


def Table(title, targets, **kwargs):
    kwargs.setdefault("options", {"showHeader": True})
    return Panel("table", title, targets, **kwargs)


class Row:
    """A titled section; its panels are laid out left to right."""

    def __init__(self, title, panels):
        self.title = title
        self.panels = panels


def Variable(name, label, query, multi=True):
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor"},
        "refresh": 2,
        "includeAll": True,
        "allValue": ".*",
        "multi": multi,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def Templating(device_source="dc_device_info"):
    """The data source and placement variables every dashboard has."""
    datasource = {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "refresh": 1,
        "hide": 0,
    }
    info = "dc_device_info"
    return {"list": [
        datasource,
        Variable("site", "Site", f"label_values({info}, site)"),
        Variable("room", "Room",
                 f'label_values({info}{{site=~"$site"}}, room)'),
        Variable("rack", "Rack",
                 f'label_values({info}{{site=~"$site", room=~"$room"}}, '
                 "rack)"),
        Variable("device", "Device",
                 f"label_values({device_source}, device)"
                 if device_source != info else
                 f'label_values({info}{{site=~"$site", room=~"$room", '
                 'rack=~"$rack"}, device)'),
    ]}


def Layout(rows):
    """Gives every row and panel an id and a place on the 24-column grid."""
    panels = []
    next_id = 1
    y = 0
    for row in rows:
        panels.append({
            "id": next_id, "type": "row", "title": row.title,
            "collapsed": False, "panels": [],
            "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
        })
        next_id += 1
        y += 1
        x = 0
        line_height = 0
        for panel in row.panels:
            if x + panel.width > 24:
                y += line_height
                x = 0
                line_height = 0
            panels.append(panel.Json(next_id, x, y))
            next_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return panels


def Dashboard(uid, title, description, rows, device_source="dc_device_info"):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["dcmon"],
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 38,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "",
        "links": [{"type": "dashboards", "tags": ["dcmon"], "asDropdown": True,
                   "title": "dcmon", "includeVars": True,
                   "keepTime": True}],
        "annotations": {"list": []},
        "templating": Templating(device_source),
        "panels": Layout(rows),
    }


def FacilityOverview():
    inlet = INLET
    return Dashboard(
        "dcmon-overview", "Facility overview",
        "The power chain from UPS to rack, cooling and open alerts.",
        [
            Row("Power chain: UPS → transfer switch → PDU → rack", [
                BarGauge("UPS load (most loaded phase)", [Target(
                    "max by (device) ("
                    f"dc_ups_output_phase_load_ratio{{{PLACE}}}"
                    " or "
                    f"dc_ups_output_load_ratio{{{PLACE}}})",
                    "{{device}}")],
                    unit="percentunit", steps=LOAD_STEPS, minimum=0,
                    maximum=1.2, width=6),
                Stat("UPSes by output source", [Target(
                    "sum by (source) ("
                    f"dc_ups_output_source{{{PLACE}}})",
                    "{{source}}")],
                    description="How many UPSes feed their load from each "
                                "source now.", width=6),
                BarGauge("Battery runtime", [Target(
                    f"dc_ups_battery_runtime_seconds{{{PLACE}}}",
                    "{{device}}")],
                    unit="s",
                    steps=[("red", None), ("orange", 600), ("green", 1200)],
                    minimum=0, width=6),
                Stat("Transfer switches by selected source", [Target(
                    "sum by (source) ("
                    f"dc_ats_selected_source{{{PLACE}}})",
                    "source {{source}}")], width=6),
                TimeSeries("Power along the chain", [
                    Target(f"sum({UPS_WATTS})", "UPS output"),
                    Target(f"sum(dc_pdu_input_watts{{{PLACE}}})",
                           "PDU input"),
                    Target(f"sum(dc_meter_watts{{{PLACE}}})", "Meters"),
                ], unit="watt", width=12),
                BarGauge("Rack power (all PDUs of a rack)", [Target(
                    "sum by (rack) ("
                    f"dc_pdu_input_watts{{{PLACE}}})",
                    "{{rack}}")], unit="watt", width=12),
            ]),
            Row("Cooling", [
                Stat("Hottest rack inlet", [Target(f"max({inlet})",
                                                   "inlet")],
                     unit="celsius", steps=INLET_STEPS, width=6),
                Stat("Cooling units in alarm", [Target(
                    f"sum(dc_cooling_alarm{{{PLACE}}})", "units")],
                    steps=[("green", None), ("red", 1)], width=6),
                Stat("Cooling delivered", [Target(
                    f"sum(dc_cooling_capacity_watts{{{PLACE}}})",
                    "heat removed")], unit="watt", width=6),
                Stat("Lowest and highest humidity", [
                    Target(f"min(dc_env_humidity_ratio{{{PLACE}}})", "min"),
                    Target(f"max(dc_env_humidity_ratio{{{PLACE}}})", "max"),
                ], unit="percentunit", steps=HUMIDITY_STEPS, width=6),
                TimeSeries("Rack inlet temperature by room", [Target(
                    f"max by (site, room) ({inlet})",
                    "{{site}} {{room}} hottest")],
                    unit="celsius", steps=INLET_STEPS,
                    threshold_style="line+area", width=12),
                TimeSeries("Supply and return air", [
                    Target("dc_cooling_supply_air_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} supply"),
                    Target("dc_cooling_return_air_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} return"),
                ], unit="celsius", width=12),
            ]),
            Row("Alerts", [
                Stat("Firing alerts", [Target(
                    'count by (severity) (ALERTS{alertstate="firing", '
                    'site=~"$site"})', "{{severity}}")],
                    steps=[("green", None), ("red", 1)], width=6,
                    description="Alerts from the dcmon rules firing now, "
                                "by severity."),
                Table("Open alerts", [Target(
                    'ALERTS{site=~"$site"}', instant=True)],
                    width=18, height=8,
                    description="Firing and pending alerts of the selected "
                                "sites; see the operator guide's runbooks."),
            ]),
        ])


def Power():
    return Dashboard(
        "dcmon-power", "Power",
        "UPSes, transfer switches, PDU phases, banks and outlets against "
        "their ratings.",
        [
            Row("UPS", [
                TimeSeries("UPS load per phase", [Target(
                    f"dc_ups_output_phase_load_ratio{{{PLACE}}}",
                    "{{device}} {{phase}}")],
                    unit="percentunit", steps=LOAD_STEPS,
                    threshold_style="line", width=12),
                TimeSeries("UPS output power", [
                    Target(UPS_WATTS, "{{device}}"),
                    Target(f"dc_ups_rated_watts{{{PLACE}}}",
                           "{{device}} rating"),
                ], unit="watt", width=12),
                Table("Output source", [Target(
                    f"dc_ups_output_source{{{PLACE}}} == 1",
                    instant=True)], width=8, height=6),
                Stat("Battery charge", [Target(
                    f"dc_ups_battery_charge_ratio{{{PLACE}}}",
                    "{{device}}")], unit="percentunit",
                    steps=[("red", None), ("orange", 0.5), ("green", 0.9)],
                    width=8, height=6),
                Stat("Battery replacement needed", [Target(
                    f"dc_ups_battery_replace_needed{{{PLACE}}}",
                    "{{device}}")],
                    steps=[("green", None), ("orange", 1)],
                    mappings=[{"type": "value", "options": {
                        "0": {"text": "no"}, "1": {"text": "replace"}}}],
                    width=8, height=6),
                TimeSeries("Input and output voltage", [
                    Target(f"dc_ups_input_phase_volts{{{PLACE}}}",
                           "{{device}} in {{phase}}"),
                    Target(f"dc_ups_output_phase_volts{{{PLACE}}}",
                           "{{device}} out {{phase}}"),
                ], unit="volt", width=12),
                TimeSeries("Battery temperature and runtime", [
                    Target(f"dc_ups_battery_temperature_celsius{{{PLACE}}}",
                           "{{device}} °C"),
                    Target(f"dc_ups_battery_runtime_seconds{{{PLACE}}} / 60",
                           "{{device}} runtime (min)"),
                ], width=12),
            ]),
            Row("Transfer switches", [
                TimeSeries("Source voltage", [Target(
                    f"dc_ats_source_volts{{{PLACE}}}",
                    "{{device}} source {{source}}")], unit="volt", width=12),
                Table("Selected source and redundancy", [
                    Target(f"dc_ats_selected_source{{{PLACE}}} == 1",
                           instant=True),
                    Target(f"dc_ats_redundancy_ok{{{PLACE}}}",
                           instant=True),
                ], width=12),
            ]),
            Row("PDU phases and breakers", [
                BarGauge("Phase current against rating", [Target(
                    f"dc_pdu_phase_amperes{{{PLACE}}} / "
                    f"(dc_pdu_phase_rated_amperes{{{PLACE}}} > 0)",
                    "{{device}} {{phase}}")],
                    unit="percentunit", steps=LOAD_STEPS, minimum=0,
                    maximum=1, width=12, height=10,
                    description="80 % is the continuous-load limit."),
                BarGauge("Bank current against breaker rating", [Target(
                    f"dc_pdu_bank_amperes{{{PLACE}}} / "
                    f"(dc_pdu_bank_rated_amperes{{{PLACE}}} > 0)",
                    "{{device}} bank {{bank}}")],
                    unit="percentunit", steps=LOAD_STEPS, minimum=0,
                    maximum=1, width=12, height=10),
                TimeSeries("Phase current and limits", [
                    Target(f"dc_pdu_phase_amperes{{{PLACE}}}",
                           "{{device}} {{phase}}"),
                    Target(f"0.8 * dc_pdu_phase_rated_amperes{{{PLACE}}}",
                           "{{device}} {{phase}} 80 % limit"),
                ], unit="amp", width=12),
                TimeSeries("PDU input power by rack", [Target(
                    "sum by (site, room, rack) ("
                    f"dc_pdu_input_watts{{{PLACE}}})",
                    "{{room}} {{rack}}")], unit="watt", width=12),
            ]),
            Row("Outlets", [
                Table("Outlet power", [Target(
                    f"dc_pdu_outlet_watts{{{PLACE}}}", instant=True)],
                    unit="watt", width=12, height=10),
                BarGauge("Ten busiest outlets", [Target(
                    f"topk(10, dc_pdu_outlet_amperes{{{PLACE}}})",
                    "{{device}} {{outlet}} {{outlet_name}}")],
                    unit="amp", width=8, height=10),
                Stat("Outlets switched off", [Target(
                    f"sum by (device) (1 - dc_pdu_outlet_on{{{PLACE}}})",
                    "{{device}}")], width=4, height=10),
            ]),
            Row("Meters", [
                TimeSeries("Metered power", [Target(
                    f"dc_meter_watts{{{PLACE}}}", "{{device}}")],
                    unit="watt", width=8),
                TimeSeries("Energy use", [Target(
                    f"rate(dc_meter_energy_joules_total{{{PLACE}}}"
                    "[$__rate_interval])", "{{device}}")],
                    unit="watt", width=8,
                    description="Average power from the energy counter."),
                TimeSeries("Power factor", [Target(
                    f"dc_meter_power_factor{{{PLACE}}}", "{{device}}")],
                    minimum=0, maximum=1, width=8),
            ]),
        ])


def Cooling():
    inlet = INLET
    band = ("ASHRAE bands: recommended 18-27 °C (green), A1 allowable "
            "15-32 °C (yellow and orange), outside it red or blue.")
    return Dashboard(
        "dcmon-cooling", "Cooling and environment",
        "Rack inlet temperature against the ASHRAE bands, humidity, "
        "cooling units and environmental sensors.",
        [
            Row("Rack inlet temperature", [
                TimeSeries("Rack inlet", [Target(
                    inlet, "{{device}} {{sensor}} ({{source}})")],
                    unit="celsius", steps=INLET_STEPS,
                    threshold_style="line+area", width=12, height=9,
                    description=band),
                BarGauge("Hottest inlet per rack", [Target(
                    f"max by (rack) ({inlet})", "{{rack}}")],
                    unit="celsius", steps=INLET_STEPS, minimum=10,
                    maximum=40, width=12, height=9, description=band),
                TimeSeries("Every temperature probe", [Target(
                    f"dc_env_temperature_celsius{{{PLACE}}}",
                    "{{device}} {{sensor}}")], unit="celsius", width=12,
                    description="All probes, including those that are not "
                                "rack inlets (exhaust, supply air, coils)."),
                Stat("Probes above the recommended band", [Target(
                    f"count({inlet} > 27) or vector(0)", "above 27 °C")],
                    steps=[("green", None), ("orange", 1)], width=6),
                Stat("Probes above the allowable band", [Target(
                    f"count({inlet} > 32) or vector(0)", "above 32 °C")],
                    steps=[("green", None), ("red", 1)], width=6),
            ]),
            Row("Humidity", [
                TimeSeries("Relative humidity", [
                    Target(f"dc_env_humidity_ratio{{{PLACE}}}",
                           "{{device}} {{sensor}}"),
                    Target(f"dc_cooling_return_humidity_ratio{{{PLACE}}}",
                           "{{device}} return air"),
                ], unit="percentunit", steps=HUMIDITY_STEPS,
                    threshold_style="line", minimum=0, maximum=1, width=12,
                    description="ASHRAE A1 allowable: 8 % to 80 %."),
                TimeSeries("Dew point", [Target(
                    f"dc_env_dewpoint_celsius{{{PLACE}}}",
                    "{{device}} {{sensor}}")], unit="celsius", width=12),
            ]),
            Row("Cooling units", [
                TimeSeries("Supply air, return air and set point", [
                    Target("dc_cooling_supply_air_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} supply"),
                    Target("dc_cooling_return_air_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} return"),
                    Target(f"dc_cooling_setpoint_celsius{{{PLACE}}}",
                           "{{device}} set point"),
                ], unit="celsius", width=12),
                Table("Unit state", [
                    Target(f"dc_cooling_unit_state{{{PLACE}}} == 1",
                           instant=True),
                    Target(f"dc_cooling_alarm{{{PLACE}}}", instant=True),
                ], width=12),
                TimeSeries("Heat removed and power drawn", [
                    Target(f"dc_cooling_capacity_watts{{{PLACE}}}",
                           "{{device}} removed"),
                    Target(f"dc_cooling_power_watts{{{PLACE}}}",
                           "{{device}} drawn"),
                ], unit="watt", width=12),
                TimeSeries("Fan speed", [Target(
                    f"dc_cooling_fan_speed_ratio{{{PLACE}}}", "{{device}}")],
                    unit="percentunit", minimum=0, maximum=1, width=12),
                TimeSeries("Chilled water and coolant", [
                    Target("dc_cooling_supply_fluid_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} supply"),
                    Target("dc_cooling_return_fluid_temperature_celsius"
                           f"{{{PLACE}}}", "{{device}} return"),
                ], unit="celsius", width=12),
                TimeSeries("Coolant flow", [Target(
                    f"dc_cooling_fluid_flow_liters_per_second{{{PLACE}}}",
                    "{{device}}")], unit="lps", width=12),
            ]),
            Row("Leaks, doors and air flow", [
                Stat("Leak sensors", [Target(
                    f"dc_env_water_leak{{{PLACE}}}",
                    "{{device}} {{sensor}}")],
                    steps=[("green", None), ("red", 1)],
                    mappings=[{"type": "value", "options": {
                        "0": {"text": "dry"}, "1": {"text": "WATER"}}}],
                    width=8, height=6),
                Stat("Doors and contacts", [Target(
                    f"dc_env_contact_open{{{PLACE}}}",
                    "{{device}} {{sensor}}")],
                    steps=[("green", None), ("orange", 1)],
                    mappings=[{"type": "value", "options": {
                        "0": {"text": "closed"}, "1": {"text": "open"}}}],
                    width=8, height=6),
                TimeSeries("Air flow", [Target(
                    f"dc_env_airflow_ratio{{{PLACE}}}",
                    "{{device}} {{sensor}}")],
                    unit="percentunit", width=8, height=6),
            ]),
        ])


def Capacity():
    return Dashboard(
        "dcmon-capacity", "Capacity",
        "Headroom, load after a failover and the exhaustion forecast, "
        "from the recording rules in deploy/prometheus/rules/.",
        [
            Row("Headroom", [
                BarGauge("UPS headroom", [Target(
                    f"dc_ups_rated_watts{{{PLACE}}} - {UPS_WATTS}",
                    "{{device}}")],
                    unit="watt", width=8, height=8),
                BarGauge("PDU phase headroom to 80 %", [Target(
                    f"0.8 * dc_pdu_phase_rated_amperes{{{PLACE}}} - "
                    f"dc_pdu_phase_amperes{{{PLACE}}}",
                    "{{device}} {{phase}}")],
                    unit="amp", width=8, height=8),
                BarGauge("Storage used", [Target(
                    f"dc_storage_used_bytes{{{PLACE}}} / "
                    f"(dc_storage_capacity_bytes{{{PLACE}}} > 0)",
                    "{{device}} {{pool}}")],
                    unit="percentunit", steps=LOAD_STEPS, minimum=0,
                    maximum=1, width=8, height=8),
            ]),
            Row("Load after a failover", [
                BarGauge("Rack load on one feed (A + B against one side)",
                         [Target(
                             "dc:rack_pdu_pair_phase_load_ratio"
                             '{site=~"$site", room=~"$room", rack=~"$rack"}',
                             "{{room}} {{rack}} {{phase}}")],
                         unit="percentunit", steps=LOAD_STEPS, minimum=0,
                         maximum=1.2, width=12, height=8,
                         description="Above 100 %: one feed could not "
                                     "carry the rack if the other failed."),
                BarGauge("UPS pair load on one unit", [Target(
                    'dc:ups_pair_load_ratio{site=~"$site"}',
                    "{{site}} {{redundancy_group}}")],
                    unit="percentunit", steps=LOAD_STEPS, minimum=0,
                    maximum=1.2, width=12, height=8,
                    description="UPSes of a 2N pair share the "
                                "redundancy_group label."),
            ]),
            # Series recorded by the rules `dcplan rules` compiles from the
            # planner's inventory (planner/rules.cc): sums over the devices
            # of each UPS group, rack and cooling group the plan names.
            Row("Redundancy groups of the plan (dcplan rules)", [
                TimeSeries("UPS group output", [Target(
                    "dc:ups_group_output_watts:sum", "{{ups_group}}")],
                    unit="watt", width=8,
                    description="Alert DcUpsGroupBeyondFailoverCapacity "
                                "fires above what the group holds after "
                                "its worst single failure."),
                TimeSeries("Rack power (both feeds)", [Target(
                    'dc:rack_input_watts:sum{rack=~"$rack"}', "{{rack}}")],
                    unit="watt", width=8,
                    description="Alert DcRackBeyondOneFeed fires above "
                                "what one derated feed carries."),
                TimeSeries("Cooling group heat removed", [Target(
                    "dc:cooling_group_capacity_watts:sum",
                    "{{cooling_group}}")], unit="watt", width=8,
                    description="Alert DcCoolingGroupBeyondN1 fires above "
                                "what the group removes with its largest "
                                "unit out."),
                Table("Rack phase current (both feeds)", [Target(
                    'dc:rack_phase_amperes:sum{rack=~"$rack"}',
                    instant=True)], unit="amp", width=12, height=8),
                Table("Rack power in 180 days at the 30-day trend", [Target(
                    'predict_linear(dc:rack_input_watts:sum{rack=~"$rack"}'
                    "[30d], 180 * 86400)", instant=True)],
                    unit="watt", width=12, height=8),
            ]),
            Row("Exhaustion forecast", [
                Table("Use of the usable limit", [Target(
                    f"dc:capacity_utilization_ratio{{{PLACE}}}",
                    instant=True)], unit="percentunit", width=8, height=9),
                Table("Forecast in 180 days", [Target(
                    f"dc:capacity_utilization_ratio:predict180d{{{PLACE}}}",
                    instant=True)], unit="percentunit", width=8, height=9),
                Table("Days until the limit", [Target(
                    f"dc:capacity_days_to_exhaustion{{{PLACE}}}",
                    instant=True)], unit="d", width=8, height=9,
                    description="At the growth of the last 7 days; only "
                                "growing resources are listed."),
                TimeSeries("Use of the usable limit over time", [Target(
                    f"dc:capacity_utilization_ratio{{{PLACE}}}",
                    "{{resource}} {{device}} {{phase}}{{bank}}{{pool}}")],
                    unit="percentunit", steps=LOAD_STEPS,
                    threshold_style="line", width=24),
            ]),
        ])


def AgentHealth():
    agent = 'device=~"$device"'
    return Dashboard(
        "dcmon-agent", "Agent health",
        "dcagent itself: targets up, poll durations, errors and scrapes.",
        [
            Row("Targets", [
                Stat("Targets up", [
                    Target(f"sum(dcagent_target_up{{{agent}}})", "up"),
                    Target(f"count(dcagent_target_up{{{agent}}} == 0) "
                           "or vector(0)", "down"),
                ], width=6),
                Stat("Agents scraped", [Target(
                    'sum(up{job=~"dcagent.*"})', "agents up")], width=6),
                Table("Targets down, by site", [Target(
                    f"(dcagent_target_up{{{agent}}} == 0)"
                    " * on (device) group_left (site, room, rack)"
                    " dc:device_info:last1d"
                    '{site=~"$site", room=~"$room", rack=~"$rack"}'
                    f" or ((dcagent_target_up{{{agent}}} == 0)"
                    " unless on (device) dc:device_info:last1d)"
                    " or on () vector(0)",
                    instant=True)], width=12, height=5,
                    description="Placed by the device's last "
                                "dc_device_info; a device never read has "
                                "no site and is always listed. With no "
                                "target down the table shows a single 0."),
                TimeSeries("Seconds since the last successful poll", [Target(
                    "time() - "
                    f"dcagent_last_success_timestamp_seconds{{{agent}}}",
                    "{{device}}")], unit="s", width=12),
                TimeSeries("Poll duration", [Target(
                    f"dcagent_poll_duration_seconds{{{agent}}}",
                    "{{device}}")], unit="s", width=12),
            ]),
            Row("Errors and throughput", [
                TimeSeries("Poll errors by reason", [Target(
                    "sum by (device, reason) (rate("
                    f"dcagent_poll_errors_total{{{agent}}}"
                    "[$__rate_interval]))", "{{device}} {{reason}}")],
                    unit="ops", width=12),
                TimeSeries("Polls by result", [Target(
                    "sum by (result) (rate("
                    f"dcagent_polls_total{{{agent}}}[$__rate_interval]))",
                    "{{result}}")], unit="ops", width=12),
                TimeSeries("Items read", [Target(
                    f"sum(rate(dcagent_items_read_total{{{agent}}}"
                    "[$__rate_interval]))", "items/s")],
                    unit="ops", width=8),
                TimeSeries("Missed polls", [Target(
                    "sum by (device) (rate("
                    f"dcagent_polls_missed_total{{{agent}}}"
                    "[$__rate_interval]))", "{{device}}")],
                    unit="ops", width=8),
                TimeSeries("Poll duration by protocol (p95)", [Target(
                    "histogram_quantile(0.95, sum by (protocol, le) (rate("
                    "dcagent_poll_duration_seconds_hist_bucket"
                    "[$__rate_interval])))", "{{protocol}}")],
                    unit="s", width=8),
            ]),
            Row("Agents", [
                Table("Agents", [
                    Target("dcagent_build_info", instant=True),
                    Target("dcagent_config_last_reload_successful",
                           instant=True),
                ], width=12, height=6),
                TimeSeries("Scrape duration", [Target(
                    'scrape_duration_seconds{job=~"dcagent.*"}',
                    "{{instance}}")], unit="s", width=6, height=6),
                TimeSeries("Series per scrape", [Target(
                    'scrape_samples_scraped{job=~"dcagent.*"}',
                    "{{instance}}")], width=6, height=6),
            ]),
        ],
        device_source="dcagent_target_up")


DASHBOARDS = {
    "facility-overview.json": FacilityOverview,
    "power.json": Power,
    "cooling.json": Cooling,
    "capacity.json": Capacity,
    "agent-health.json": AgentHealth,
}


def Main(argv):
    out_dir = argv[1] if len(argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for name, build in DASHBOARDS.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(build(), f, indent=2, ensure_ascii=False)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(Main(sys.argv))
