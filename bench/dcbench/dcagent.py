"""dcagent, the collector under test.

The harness writes a dcagent configuration for the fleet, scrapes /metrics
once per interval like Prometheus, and reads dcagent's own self-metrics:
polls and values from the increase of dcagent_polls_total and
dcagent_items_read_total over the window, polls on time from
dcagent_last_success_timestamp_seconds at every scrape after the first.
"""

import os
import re
import shutil
import time

from . import collector
from . import procs
from . import scrape

COMMUNITY_ENV = "DCBENCH_COMMUNITY"
OK_RESULTS = ("ok", "success")


def snapshot_profiles(repo, out_dir):
    """Copies the checkout's SNMP and Modbus profiles to OUT/profiles.

    dcagent reads them from there (profile_dirs), so a run measures one
    fixed set of profiles wherever the binary lives, and the results folder
    keeps the profiles it measured.
    """
    root = os.path.join(out_dir, "profiles")
    for protocol in ("snmp", "modbus"):
        source = os.path.join(repo, "collectors", protocol, "profiles")
        target = os.path.join(root, protocol)
        if os.path.isdir(source) and not os.path.isdir(target):
            shutil.copytree(source, target)
    return root


def config_toml(listen_port, snmp_devices, snmp_profile, modbus_devices,
                modbus_profile, interval, profile_root=None):
    """dcagent TOML for the given devices; the community comes from env."""
    out = ["# Written by bench/dcbench for one benchmark run.",
           "[agent]",
           'listen = "127.0.0.1:%d"' % listen_port]
    if profile_root:
        out.append('profile_dirs = ["%s"]' % profile_root)
    out.append("")
    if snmp_devices:
        out += ["[snmp.auth.bench]", 'version = "2c"',
                'community_env = "%s"' % COMMUNITY_ENV, ""]
    for device in snmp_devices:
        out += ["[[target]]",
                'name = "%s"' % device.name,
                'protocol = "snmp"',
                'address = "udp:%s:%d"' % (device.host, device.port),
                'auth = "bench"',
                'profile = "%s"' % snmp_profile,
                'interval = "%gs"' % interval, ""]
    for device in modbus_devices:
        out += ["[[target]]",
                'name = "%s"' % device.name,
                'protocol = "modbus"',
                'address = "tcp:%s:%d"' % (device.host, device.port),
                'profile = "%s"' % modbus_profile,
                "unit = %d" % device.unit,
                'interval = "%gs"' % interval, ""]
    return "\n".join(out)


_SELF_METRIC = re.compile(
    rb"^dcagent_(polls_total|polls_missed_total|items_read_total|"
    rb"last_success_timestamp_seconds)\{([^}]*)\} (\S+)", re.M)


def self_counters(body):
    """Sums dcagent's poll and item counters over all targets; "fresh"
    maps each device to its last successful poll (Unix seconds).

    Only dcagent_* lines are looked at, with a regular expression over the
    raw bytes: a large fleet's exposition is tens of megabytes.
    """
    counts = {"ok": 0.0, "failed": 0.0, "missed": 0.0, "items": 0.0,
              "fresh": {}}
    for match in _SELF_METRIC.finditer(body):
        name, labels = match.group(1), match.group(2).decode()
        value = float(match.group(3))
        if name == b"last_success_timestamp_seconds":
            counts["fresh"][scrape.label(labels, "device")] = value
        elif name == b"polls_total":
            result = scrape.label(labels, "result")
            counts["ok" if result in OK_RESULTS else "failed"] += value
        elif name == b"polls_missed_total":
            counts["missed"] += value
        else:
            counts["items"] += value
    return counts


class Dcagent(collector.Collector):
    """One dcagent process polling either the SNMP or the Modbus fleet."""

    def __init__(self, supervisor, work_dir, interval, protocol, binary,
                 argv_template, label=None, profile_root=None):
        super().__init__(supervisor, work_dir, interval)
        self.profile_root = profile_root
        self.protocol = protocol
        self.binary = binary
        self.argv_template = argv_template
        self.name = label or "dcagent"

    def start(self, fleet):
        self.metrics_port = procs.free_port()
        snmp = fleet.snmp_devices if self.protocol == "snmp" else []
        modbus = fleet.modbus_devices if self.protocol == "modbus" else []
        self.devices = snmp or modbus
        if self.protocol == "modbus":
            self.registers_per_poll = sum(v.registers
                                          for v in fleet.modbus_model)
        config = os.path.join(self.work_dir, "dcagent.toml")
        with open(config, "w") as f:
            f.write(config_toml(self.metrics_port, snmp,
                                fleet.dcagent_snmp_profile, modbus,
                                fleet.dcagent_modbus_profile, self.interval,
                                self.profile_root))
        argv = [self.binary] + [a.format(config=config)
                                for a in self.argv_template.split()]
        self.proc = self.supervisor.start(
            self.name, argv, env={COMMUNITY_ENV: fleet.community})
        procs.wait_for_tcp(self.metrics_port, self.proc, self.supervisor)

    def _count_fresh(self, counts, now):
        # On time, as for collectd: the device's last successful poll is
        # less than 1.1 intervals old at this check.
        limit = 1.1 * self.interval
        names = {d.name for d in self.devices}
        self.fresh += sum(1 for device, stamp in counts["fresh"].items()
                          if device in names and now - stamp <= limit)
        self.checks += 1

    async def after_begin(self, window_start, window_end):
        self.fresh = 0
        self.checks = 0
        response = await self.scrape_metrics()
        self.start_counts = self_counters(response.body)
        when = window_start + self.interval
        while when < window_end - 0.5:
            await collector.sleep_until(when)
            response = await self.scrape_metrics()
            self._count_fresh(self_counters(response.body), time.time())
            when += self.interval

    async def finish(self, result):
        response = await self.scrape_metrics()
        end = self_counters(response.body)
        self._count_fresh(end, time.time())
        delta = {k: end[k] - self.start_counts[k] for k in end
                 if k != "fresh"}
        result.polls_expected = len(self.devices) * self.checks
        result.polls_on_time = min(self.fresh, result.polls_expected)
        result.polls_late = result.polls_expected - result.polls_on_time
        result.polls_failed = int(delta["failed"])
        if delta["missed"]:
            result.notes.append("dcagent_polls_missed_total rose by %d" %
                                delta["missed"])
        # Completed polls, for the CPU per device poll.
        result.polls_completed = int(delta["ok"])
        if self.protocol == "modbus":
            result.values_read = int(delta["ok"]) * self.registers_per_poll
            result.notes.append(
                "registers counted from the register map; dcagent counted "
                "%d items" % delta["items"])
        else:
            result.values_read = int(delta["items"])
