"""Debian's prometheus-snmp-exporter, driven like Prometheus would drive it.

snmp_exporter polls a device only when scraped, so the harness plays the
Prometheus server: every device is scraped once per interval at a fixed
offset spread evenly over the interval. The module is written from the
walked device model with the same numeric OIDs the other collectors read:
scalars with GET, each table walked with GETBULK.
"""

import asyncio
import os
import time

from . import collector
from . import procs
from . import scrape

MODULE = "dcbench"
MAX_REPETITIONS = 25
SCRAPE_TIMEOUT = 10.0  # Prometheus's default scrape_timeout


def module_yaml(model, community, max_repetitions=MAX_REPETITIONS):
    """snmp.yml text (snmp_exporter 0.21 layout, auth inside the module)."""
    out = ["# Written by bench/dcbench for the simulated device model.",
           "%s:" % MODULE]
    if model.tables:
        out.append("  walk:")
        out += ["  - %s" % table for table in model.tables]
    if model.scalars:
        out.append("  get:")
        out += ["  - %s" % oid for oid in model.scalars]
    out.append("  metrics:")
    for oid in model.scalars:
        out += ["  - name: bench_%s" % oid[:-2].replace(".", "_"),
                "    oid: %s" % oid[:-2],
                "    type: gauge",
                "    help: Scalar %s" % oid]
    for table, columns in model.tables.items():
        for column in columns:
            out += ["  - name: bench_%s" % column.replace(".", "_"),
                    "    oid: %s" % column,
                    "    type: gauge",
                    "    help: Column %s of table %s" % (column, table),
                    "    indexes:",
                    "    - labelname: index",
                    "      type: gauge"]
    out += ["  version: 2",
            "  max_repetitions: %d" % max_repetitions,
            "  retries: 3",
            "  timeout: 5s",
            "  auth:",
            "    community: %s" % community]
    return "\n".join(out) + "\n"


class SnmpExporter(collector.Collector):
    name = "snmp_exporter"

    def start(self, fleet):
        self.devices = fleet.snmp_devices
        self.expected_values = fleet.snmp_model.count
        config = os.path.join(self.work_dir, "snmp.yml")
        with open(config, "w") as f:
            f.write(module_yaml(fleet.snmp_model, fleet.community))
        self.port = procs.free_port()
        self.proc = self.supervisor.start(self.name, [
            "prometheus-snmp-exporter", "--config.file=" + config,
            "--web.listen-address=127.0.0.1:%d" % self.port,
            "--log.level=warn"])
        procs.wait_for_tcp(self.port, self.proc, self.supervisor)
        self.polls = []  # (scheduled, finished, ok, values)
        self.lag = []

    async def _scrape(self, device, limit):
        async with limit:
            return await scrape.get(
                self.port, "/snmp?module=%s&target=%s:%d" %
                (MODULE, device.host, device.port), timeout=SCRAPE_TIMEOUT)

    async def poll(self, device, scheduled, limit):
        # Recorded when scheduled, so a scrape still waiting at the end of
        # the run counts as failed rather than vanishing.
        entry = [scheduled, None, False, 0]
        self.polls.append(entry)
        self.lag.append(time.monotonic() - scheduled)
        try:
            # Like Prometheus's scrape_timeout, counted from the schedule.
            response = await asyncio.wait_for(self._scrape(device, limit),
                                              SCRAPE_TIMEOUT)
            if response.status == 200:
                entry[3] = sum(1 for s in scrape.samples(response.body)
                               if not s[0].startswith("snmp_scrape_"))
                entry[2] = entry[3] == self.expected_values
        except (OSError, asyncio.TimeoutError):
            pass
        entry[1] = time.monotonic()

    async def run_until(self, t0, window_start, window_end):
        # A Prometheus-like scheduler: device i at t0 + i * interval / n.
        # It shares one Python thread with the exposition parsing, so at
        # ten thousand devices scrapes start up to a few seconds late; a
        # real Prometheus server would not add that lag.
        limit = asyncio.Semaphore(512)
        tasks = set()
        n = len(self.devices)
        slot = 0
        while True:
            index, round_ = slot % n, slot // n
            scheduled = t0 + round_ * self.interval + index * self.interval / n
            if scheduled >= window_end:
                break
            await collector.sleep_until(scheduled)
            task = asyncio.ensure_future(
                self.poll(self.devices[index], scheduled, limit))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            slot += 1
        if tasks:
            await asyncio.wait(tasks, timeout=SCRAPE_TIMEOUT + 5)
        self.window = (window_start, window_end)

    def end_window(self, result):
        super().end_window(result)
        self.result = result

    async def finish(self, result):
        # Counted by schedule: polls planned inside the window.
        start, end = self.window
        result.polls_expected = 0
        for scheduled, finished, ok, values in self.polls:
            if not start <= scheduled < end:
                continue
            result.polls_expected += 1
            result.values_read += values
            if values:
                result.polls_completed += 1
            if not ok or finished is None:
                result.polls_failed += 1
            elif finished - scheduled <= self.interval:
                result.polls_on_time += 1
            else:
                result.polls_late += 1
        lag = sorted(self.lag)
        if lag and lag[-1] > 1.0:
            result.notes.append("harness scrape start lag up to %.1f s" %
                                lag[-1])
