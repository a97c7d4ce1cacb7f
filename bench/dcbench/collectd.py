"""collectd 5.12 (collectd-core) with its snmp or modbus plugin.

The configuration is generated for the fleet: one <Data> block for the
device's scalars (one GET), one per table (a walk, GETNEXT or, with
BulkSize, GETBULK), one <Host> per device. Values leave collectd through
its network plugin to a receiver in the harness, or through write_prometheus
scraped once per interval. Either way each value list carries the time it
was read, which is how the harness counts polls on time: at every check
after the window's first, a host whose newest value is less than 1.1
intervals old was polled on time.
"""

import os
import time

from . import collectd_network
from . import collector
from . import procs
from . import scrape


def types_db(widths):
    """A types.db with one all-gauge type per number of values in a Data."""
    lines = []
    for width in sorted(set(widths)):
        sources = ", ".join("v%d:GAUGE:U:U" % i for i in range(width))
        lines.append("dcbench_%d %s" % (width, sources))
    return "\n".join(lines) + "\n"


def _output(output, port):
    """The plugin that takes values out of collectd, sending to port."""
    if output == "prometheus":
        return """LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "{port}"
</Plugin>
""".format(port=port)
    # The network plugin sends when a datagram is full; the flush keeps the
    # last few value lists of a small fleet from waiting a whole interval.
    return """<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  Server "127.0.0.1" "{port}"
</Plugin>
""".format(port=port)


def _header(work_dir, interval, output, port, types_path, read_threads):
    return """# Written by bench/dcbench for one benchmark run.
Hostname "dcbench"
FQDNLookup false
BaseDir "{dir}"
PIDFile "{dir}/collectd.pid"
Interval {interval}
ReadThreads {threads}
WriteThreads 1
TypesDB "/usr/share/collectd/types.db" "{types}"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "warning"
  File "stderr"
  Timestamp true
</Plugin>
""".format(dir=work_dir, interval=interval, threads=read_threads,
           types=types_path) + _output(output, port)


def snmp_conf(model, devices, community, interval, bulk_size, work_dir,
              output, port, read_threads=5, timeout=5, retries=3):
    """collectd.conf and types.db text for polling devices over SNMP."""
    data_names = []
    body = ["LoadPlugin snmp", "<Plugin snmp>"]
    widths = []
    if model.scalars:
        widths.append(len(model.scalars))
        data_names.append("scalars")
        body += ['  <Data "scalars">',
                 '    Type "dcbench_%d"' % len(model.scalars),
                 "    Table false",
                 "    Values %s" % " ".join('"%s"' % o for o in model.scalars),
                 "  </Data>"]
    for i, (table, columns) in enumerate(model.tables.items()):
        name = "table%d" % i
        widths.append(len(columns))
        data_names.append(name)
        body += ['  <Data "%s">' % name,
                 '    Type "dcbench_%d"' % len(columns),
                 "    Table true",
                 '    TypeInstancePrefix "%s"' % name,
                 "    Values %s" % " ".join('"%s"' % c for c in columns),
                 "  </Data>"]
    collect = " ".join('"%s"' % n for n in data_names)
    for device in devices:
        body += ['  <Host "%s">' % device.name,
                 '    Address "%s:%d"' % (device.host, device.port),
                 "    Version 2",
                 '    Community "%s"' % community,
                 "    Collect %s" % collect,
                 "    Interval %g" % interval,
                 "    Timeout %g" % timeout,
                 "    Retries %d" % retries]
        if bulk_size:
            body.append("    BulkSize %d" % bulk_size)
        body.append("  </Host>")
    body.append("</Plugin>")
    types_path = os.path.join(work_dir, "types.db")
    conf = _header(work_dir, interval, output, port, types_path,
                   read_threads) + "\n".join(body) + "\n"
    return conf, types_db(widths)


def modbus_conf(values, devices, interval, work_dir, output, port,
                read_threads=5):
    """collectd.conf text for polling devices over Modbus TCP."""
    body = ["LoadPlugin modbus", "<Plugin modbus>"]
    for i, value in enumerate(values):
        command = "ReadHolding" if value.table == "holding" else "ReadInput"
        body += ['  <Data "r%d">' % i,
                 "    RegisterBase %d" % value.address,
                 "    RegisterType %s" % value.data_type,
                 "    RegisterCmd %s" % command,
                 '    Type "gauge"',
                 '    Instance "r%d"' % i,
                 "  </Data>"]
    for device in devices:
        body += ['  <Host "%s">' % device.name,
                 '    Address "%s"' % device.host,
                 '    Port "%d"' % device.port,
                 "    Interval %g" % interval,
                 "    <Slave %d>" % device.unit,
                 '      Instance "%s"' % device.name]
        # The modbus plugin takes one Data name per Collect line.
        body += ['      Collect "r%d"' % i for i in range(len(values))]
        body += ["    </Slave>",
                 "  </Host>"]
    body.append("</Plugin>")
    types_path = os.path.join(work_dir, "types.db")
    conf = _header(work_dir, interval, output, port, types_path,
                   read_threads) + "\n".join(body) + "\n"
    return conf, types_db([1])


def check_config(conf_path):
    """Has collectd parse the configuration and load its plugins.

    `collectd -t` accepts options the plugins reject, so this runs
    `collectd -T` (configure, initialise, read once, exit) on a
    configuration whose devices need not answer, and looks for the messages
    collectd prints for configuration faults.
    """
    import subprocess
    try:
        out = subprocess.run(["collectd", "-T", "-C", conf_path],
                             capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False, "collectd -T did not finish within 60 s"
    text = (out.stdout + out.stderr).strip()
    faults = [line for line in text.splitlines()
              if "not allowed" in line or "requires" in line or "failed" in line.lower() and (
                  "load plugin" in line.lower() or "parsing" in line.lower()
                  or "dlopen" in line) or "isn't loaded" in line
              or "Unknown" in line]
    return not faults, "\n".join(faults)


class Collectd(collector.Collector):
    """One collectd process; protocol is "snmp" or "modbus".

    output "network" (the default) sends values to the harness over
    collectd's binary protocol; "prometheus" serves them with
    write_prometheus, scraped once per interval.
    """

    def __init__(self, supervisor, work_dir, interval, protocol,
                 bulk_size=None, label=None, output="network"):
        super().__init__(supervisor, work_dir, interval)
        self.protocol = protocol
        self.bulk_size = bulk_size
        self.name = label or "collectd"
        self.output = output
        self.receiver = None

    def start(self, fleet):
        if self.output == "prometheus":
            self.metrics_port = port = procs.free_port()
        else:
            self.receiver = collectd_network.Receiver()
            port = self.receiver.port
        if self.protocol == "snmp":
            self.devices = fleet.snmp_devices
            self.values_per_poll = fleet.snmp_model.count
            self.requests_per_poll = None
            conf, types = snmp_conf(fleet.snmp_model, self.devices,
                                    fleet.community, self.interval,
                                    self.bulk_size, self.work_dir,
                                    self.output, port)
        else:
            self.devices = fleet.modbus_devices
            model = fleet.modbus_model
            self.values_per_poll = sum(v.registers for v in model)
            self.requests_per_poll = len(model)
            conf, types = modbus_conf(model, self.devices, self.interval,
                                      self.work_dir, self.output, port)
        conf_path = os.path.join(self.work_dir, "collectd.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        with open(os.path.join(self.work_dir, "types.db"), "w") as f:
            f.write(types)
        self.proc = self.supervisor.start(
            self.name, ["collectd", "-f", "-C", conf_path])
        if self.metrics_port:
            procs.wait_for_tcp(self.metrics_port, self.proc, self.supervisor)
        self.hosts = {d.name for d in self.devices}
        self.polled = 0     # (host, check) pairs with fresh samples
        self.checks = 0     # freshness checks counted
        self.values_at_start = 0

    def stop(self):
        super().stop()
        if self.receiver is not None:
            self.receiver.close()

    def _newest_by_host(self, body):
        newest = {}
        for name, labels, _value, stamp in scrape.samples(body):
            if stamp is None or not name.startswith("collectd_"):
                continue
            host = scrape.label(labels, "instance")
            if host in self.hosts:
                stamp = int(stamp) / 1000.0
                if stamp > newest.get(host, 0):
                    newest[host] = stamp
        return newest

    async def _newest(self):
        if self.receiver is not None:
            return self.receiver.snapshot()[1]
        response = await self.scrape_metrics()
        return self._newest_by_host(response.body)

    def _count(self, newest, now):
        # On time: the host's newest value is less than an interval old
        # (plus a tenth for the read itself), as Prometheus would see it.
        limit = 1.1 * self.interval
        self.polled += sum(1 for host, stamp in newest.items()
                           if host in self.hosts and now - stamp <= limit)
        self.checks += 1

    async def after_begin(self, window_start, window_end):
        # Checks at the window's start, then once per interval; the first
        # is not counted (with write_prometheus it costs collectd a render
        # like every other scrape).
        if self.receiver is not None:
            self.values_at_start = self.receiver.snapshot()[0]
        when = window_start
        while when < window_end - 0.5:
            await collector.sleep_until(when)
            newest = await self._newest()
            if when > window_start:
                self._count(newest, time.time())
            when += self.interval

    def end_window(self, result):
        super().end_window(result)
        if self.receiver is not None:
            self.values_at_end = self.receiver.snapshot()[0]

    async def finish(self, result):
        self._count(await self._newest(), time.time())
        result.polls_expected = len(self.devices) * self.checks
        result.polls_on_time = min(self.polled, result.polls_expected)
        result.polls_late = result.polls_expected - result.polls_on_time
        if self.receiver is not None:
            # What collectd actually sent during the window, per value.
            received = self.values_at_end - self.values_at_start
            if self.protocol == "modbus":
                per_value = self.values_per_poll / self.requests_per_poll
                result.values_read = int(received * per_value)
            else:
                result.values_read = received
        else:
            result.values_read = self.polled * self.values_per_poll
        result.polls_completed = result.values_read // self.values_per_poll
        if self.requests_per_poll:
            result.requests = result.values_read * self.requests_per_poll \
                // self.values_per_poll
        if self.receiver is not None and self.receiver.malformed:
            result.notes.append("%d malformed datagrams from collectd" %
                                self.receiver.malformed)
        log = self.supervisor.log_tail(self.name, lines=2000)
        if "snmp_sess_open failed" in log:
            result.notes.append("collectd could not open SNMP sessions "
                                "(see its log)")
        late = log.count("above its read interval")
        if late:
            result.notes.append("%d reads over the interval in the log" % late)
