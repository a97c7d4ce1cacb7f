"""What every benchmarked collector shares: a process measured over a window.

A collector is one process that polls the fleet on a schedule and exposes
what it read. The run calls start(), then begin_window() and end_window()
around the measurement window, while the collector's own coroutines (its
scrape loops) run on the event loop. end_window() returns a WindowResult.
"""

import asyncio
import time

from . import scrape
from . import usage


class WindowResult:
    """What one collector did during one measurement window."""

    def __init__(self, name):
        self.name = name
        self.cpu_seconds = 0.0
        self.values_read = 0     # varbinds (SNMP) or registers (Modbus)
        self.requests = 0        # Modbus requests, where known
        self.polls_expected = 0
        self.polls_completed = 0  # polls that returned data, late or not
        self.polls_on_time = 0
        self.polls_late = 0
        self.polls_failed = 0
        self.vm_hwm = 0
        self.vm_rss = 0
        self.render_series = 0
        self.render_seconds = None
        self.notes = []

    def as_dict(self):
        return dict(self.__dict__)


async def sleep_until(when):
    delay = when - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


class Collector:
    """Base class; subclasses set name and implement start() and counting."""

    name = "collector"
    metrics_port = None  # the port of a Prometheus exposition, if any

    def __init__(self, supervisor, work_dir, interval):
        self.supervisor = supervisor
        self.work_dir = work_dir
        self.interval = interval
        self.proc = None
        self.before = None
        self.exposition_seconds = []

    @property
    def pid(self):
        return self.proc.pid

    def check_alive(self):
        self.supervisor.check_alive(self.proc)

    def stop(self):
        if self.proc is not None:
            self.supervisor.stop(self.proc)

    # Hooks the run drives, in this order.

    async def run_until(self, t0, window_start, window_end):
        """Background work from t0 to window_end (e.g. a scrape loop)."""

    def begin_window(self):
        self.before = usage.Usage(self.pid)

    async def after_begin(self, window_start, window_end):
        """Work right after the window's first CPU reading."""

    def end_window(self, result):
        after = usage.Usage(self.pid)
        result.cpu_seconds = usage.cpu_seconds_between(self.before, after)
        result.vm_hwm = after.memory.get("VmHWM", 0)
        result.vm_rss = after.memory.get("VmRSS", 0)

    async def finish(self, result):
        """Work after the window's last CPU reading (final counts)."""

    # Exposition scraping shared by dcagent and collectd: once per interval
    # like a Prometheus server, so every collector pays for its exposition.

    async def scrape_metrics(self):
        response = await scrape.get(self.metrics_port, "/metrics",
                                     timeout=max(30.0, self.interval))
        if response.status != 200:
            raise RuntimeError("%s /metrics answered HTTP %d" %
                               (self.name, response.status))
        self.exposition_seconds.append(response.seconds)
        return response

    async def measure_render(self, result, times=3):
        """Times GET /metrics a few times; keeps the median."""
        if self.metrics_port is None:
            return
        seconds = []
        for _ in range(times):
            response = await self.scrape_metrics()
            seconds.append(response.seconds)
            result.render_series = scrape.count_samples(response.body)
        seconds.sort()
        result.render_seconds = seconds[len(seconds) // 2]
