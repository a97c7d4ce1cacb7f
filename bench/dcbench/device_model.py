"""What one simulated device serves, as the peers' configurations need it.

The benchmark never hard-codes the simulator's device model: it walks one
device with net-snmp's snmpbulkwalk and groups the numeric varbinds into
scalars (instance .0, read with GET) and table columns (read by walking),
so snmp_exporter and collectd are configured with the same numeric OIDs the
simulator serves. For the fallback fleet (snmpsim) it also writes a
synthetic UPS-like device of about fifty numeric varbinds.
"""

import subprocess

# net-snmp's type names for the values a collector can turn into numbers.
NUMERIC_TYPES = {"INTEGER", "Gauge32", "Counter32", "Counter64", "Timeticks",
                 "Unsigned32"}


class Varbind:
    def __init__(self, oid, kind, value):
        self.oid = oid
        self.kind = kind
        self.value = value

    @property
    def is_scalar(self):
        return self.oid.endswith(".0")

    @property
    def column(self):
        return self.oid.rsplit(".", 1)[0]


class DeviceModel:
    """The numeric varbinds of one device, grouped for the peers."""

    def __init__(self, varbinds):
        self.varbinds = [v for v in varbinds if v.kind in NUMERIC_TYPES]
        if not self.varbinds:
            raise RuntimeError("the walked device serves no numeric varbind")
        self.scalars = [v.oid for v in self.varbinds if v.is_scalar]
        self.columns = {}  # column OID -> instance OIDs, in walk order
        for v in self.varbinds:
            if not v.is_scalar:
                self.columns.setdefault(v.column, []).append(v.oid)
        self.tables = {}  # table entry OID -> its column OIDs
        for column in self.columns:
            self.tables.setdefault(column.rsplit(".", 1)[0], []).append(column)

    @property
    def count(self):
        return len(self.varbinds)

    def rows(self, table):
        return max(len(self.columns[c]) for c in self.tables[table])

    def describe(self):
        return "%d numeric varbinds: %d scalars, %d tables of %s rows" % (
            self.count, len(self.scalars), len(self.tables),
            "/".join(str(self.rows(t)) for t in self.tables))


def parse_walk(text):
    """Parses `snmpbulkwalk -On -Oe -Ot` output into Varbinds."""
    varbinds = []
    for line in text.splitlines():
        oid, sep, rest = line.partition(" = ")
        if not sep or not oid.startswith("."):
            continue  # a continuation line of a multi-line string
        kind, sep, value = rest.partition(": ")
        if not sep:
            kind, value = "Timeticks" if rest.isdigit() else "", rest
        varbinds.append(Varbind(oid[1:], kind.strip(), value.strip()))
    return varbinds


def walk_device(host, port, community, root=".1.3.6.1", timeout=60):
    """Walks one device and returns its DeviceModel."""
    out = subprocess.run(
        ["snmpbulkwalk", "-v2c", "-c", community, "-On", "-Oe", "-Ot",
         "-t", "5", "-r", "2", "%s:%d" % (host, port), root],
        capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError("snmpbulkwalk of %s:%d failed: %s" %
                           (host, port, out.stderr.strip()))
    return DeviceModel(parse_walk(out.stdout))


def synthetic_snmprec():
    """An snmpsim data file: a UPS-like device with 51 numeric varbinds."""
    rows = [("1.3.6.1.2.1.1.1.0", 4, "dcbench synthetic UPS"),
            ("1.3.6.1.2.1.1.2.0", 6, "1.3.6.1.4.1.8072.3.2.10"),
            ("1.3.6.1.2.1.1.3.0", 67, "123456"),
            ("1.3.6.1.2.1.1.5.0", 4, "bench-ups")]
    battery = [2, 0, 45, 100, 545, 0, 27]
    for i, value in enumerate(battery, start=1):
        rows.append(("1.3.6.1.2.1.33.1.2.%d.0" % i, 2, str(value)))
    rows += [("1.3.6.1.2.1.33.1.3.2.0", 2, "3"),
             ("1.3.6.1.2.1.33.1.4.1.0", 2, "3"),
             ("1.3.6.1.2.1.33.1.4.2.0", 2, "500"),
             ("1.3.6.1.2.1.33.1.4.3.0", 2, "3")]
    for line in (1, 2, 3):
        for column, value in ((2, 500), (3, 230), (4, 12), (5, 2600)):
            rows.append(("1.3.6.1.2.1.33.1.3.3.1.%d.%d" % (column, line), 66,
                         str(value + line)))
            rows.append(("1.3.6.1.2.1.33.1.4.4.1.%d.%d" % (column, line), 66,
                         str(value + 10 * line)))
    for outlet in range(1, 6):
        rows += [("1.3.6.1.4.1.99999.1.1.1.2.%d" % outlet, 2, "1"),
                 ("1.3.6.1.4.1.99999.1.1.1.3.%d" % outlet, 66, str(outlet)),
                 ("1.3.6.1.4.1.99999.1.1.1.4.%d" % outlet, 65,
                  str(1000 * outlet))]

    def key(row):
        return [int(part) for part in row[0].split(".")]

    return "".join("%s|%d|%s\n" % row for row in sorted(rows, key=key))
