"""The fleet served by dcsim, the project's simulator.

SNMP: dcsim's bench mode, N UPS-MIB devices on consecutive ports spread
over a few 127.0.0.x addresses. Modbus: a fleet file of N meters of one
register-map model. The register map the peers read is taken from the same
model file dcsim serves (sim/models/NAME.toml), so collectd's <Data> blocks
and dcagent's profile read the same registers.
"""

import os
import random
import socket
import time
import tomllib

from . import device_model
from . import fleet as fleet_lib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MODBUS_MODEL = "eastron-sdm630"
DEVICES_PER_ADDRESS = 1000

# Register types of dcsim's model files, as collectd's modbus plugin names
# them, by word order ABCD (high word first) and CDAB.
COLLECTD_TYPES = {
    ("uint16", "ABCD"): "Uint16", ("int16", "ABCD"): "Int16",
    ("uint32", "ABCD"): "Uint32", ("int32", "ABCD"): "Int32",
    ("float32", "ABCD"): "Float", ("uint32", "CDAB"): "Uint32LE",
    ("int32", "CDAB"): "Int32LE", ("float32", "CDAB"): "FloatLE",
}


def modbus_model_from_file(path):
    """The registers of a dcsim Modbus model, as fleet.ModbusValue."""
    with open(path, "rb") as f:
        model = tomllib.load(f)
    values = []
    for register in model.get("register", []):
        key = (register.get("type", "uint16"),
               register.get("word_order", "ABCD"))
        if key not in COLLECTD_TYPES:
            continue  # a type collectd cannot read (e.g. 64-bit)
        values.append(fleet_lib.ModbusValue(
            int(register["address"]), register.get("table", "holding"),
            COLLECTD_TYPES[key]))
    return values


def agent_profile(path):
    """The dcagent profile a dcsim model names for its devices."""
    with open(path, "rb") as f:
        return tomllib.load(f)["model"].get("agent_profile", "auto")


def free_port_range(hosts, count, kind):
    """A first port such that port..port+count-1 are free on every host.

    Ports are tried one host at a time so the sockets held stay well under
    the open-files limit.
    """
    for _ in range(50):
        first = random.randrange(20000, 65000 - count)
        if all(_range_free(host, first, count, kind) for host in hosts):
            return first
    raise RuntimeError("no range of %d free ports found" % count)


def _range_free(host, first, count, kind):
    held = []
    try:
        for port in range(first, first + count):
            s = socket.socket(socket.AF_INET, kind)
            held.append(s)
            s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in held:
            s.close()


class DcsimFleet(fleet_lib.Fleet):
    name = "dcsim"

    def __init__(self, supervisor, work_dir, binary):
        super().__init__(supervisor, work_dir)
        self.binary = binary

    def start(self, snmp_count, modbus_count):
        if snmp_count:
            self._start_snmp(snmp_count)
        if modbus_count:
            self._start_modbus(modbus_count)

    def _start_snmp(self, count):
        addresses = max(1, -(-count // DEVICES_PER_ADDRESS))
        per_address = -(-count // addresses)
        hosts = ["127.0.0.%d" % (1 + a) for a in range(addresses)]
        first = free_port_range(hosts, per_address, socket.SOCK_DGRAM)
        self.snmp_devices = [
            fleet_lib.Device("snmp%05d" % i, hosts[i // per_address],
                             first + i % per_address) for i in range(count)]
        self.processes.append(self.supervisor.start("dcsim-snmp", [
            self.binary, "--devices", str(count), "--first-port", str(first),
            "--addresses", str(addresses), "--quiet"]))
        self._wait_for_snmp()
        self.discover_model()

    def _start_modbus(self, count):
        first = free_port_range(["127.0.0.1"], count, socket.SOCK_STREAM)
        path = os.path.join(self.work_dir, "dcsim-modbus.toml")
        with open(path, "w") as f:
            f.write('[sim]\nbind = "127.0.0.1"\n\n[[device]]\n'
                    'name = "meter-{n}"\nmodel = "%s"\nport = %d\n'
                    "count = %d\n" % (MODBUS_MODEL, first, count))
        self.modbus_devices = [
            fleet_lib.Device("mb%05d" % i, "127.0.0.1", first + i)
            for i in range(count)]
        proc = self.supervisor.start("dcsim-modbus",
                                     [self.binary, "--fleet", path])
        self.processes.append(proc)
        fleet_lib.procs.wait_for_tcp(first + count - 1, proc, self.supervisor)

    def _wait_for_snmp(self):
        deadline = time.monotonic() + 60
        last_error = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                last = self.snmp_devices[-1]
                device_model.walk_device(last.host, last.port, self.community,
                                         root=".1.3.6.1.2.1.1", timeout=20)
                return
            except Exception as error:  # not answering yet
                last_error = error
                time.sleep(0.5)
        raise RuntimeError("dcsim did not answer: %s" % last_error)
