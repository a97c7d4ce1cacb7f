"""The simulated fleet a run polls: dcsim, or snmpsim and pymodbus.

A Fleet starts the simulator processes, then knows every device's address
and the SNMP device model (walked from the first device). dcsim is the
simulator the benchmark is meant for; snmpsim spends milliseconds per reply,
so the fallback fleet only suits small sizes and checking the harness.
"""

import os
import time

from . import device_model
from . import procs

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Device:
    def __init__(self, name, host, port, unit=1):
        self.name = name
        self.host = host
        self.port = port
        self.unit = unit


class ModbusValue:
    """One value a Modbus poll reads: start register, table, data type."""

    WIDTH = {"Int16": 1, "Uint16": 1, "Int32": 2, "Uint32": 2, "Float": 2}

    def __init__(self, address, table, data_type):
        self.address = address
        self.table = table  # "holding" or "input"
        self.data_type = data_type

    @property
    def registers(self):
        return self.WIDTH[self.data_type]


def synthetic_modbus_model():
    """20 single registers and 10 two-register floats, 40 registers."""
    values = [ModbusValue(i, "holding", "Uint16") for i in range(20)]
    values += [ModbusValue(20 + 2 * i, "holding", "Float") for i in range(10)]
    return values


class Fleet:
    """Base: the devices, the community and the simulator processes."""

    community = "public"

    def __init__(self, supervisor, work_dir):
        self.supervisor = supervisor
        self.work_dir = work_dir
        self.snmp_devices = []
        self.modbus_devices = []
        self.processes = []
        self.snmp_model = None
        self.dcagent_snmp_profile = "auto"
        # dcsim's meter model when present, read by both simulators alike.
        model = os.path.join(os.path.dirname(HERE), "sim", "models",
                             "eastron-sdm630.toml")
        if os.path.exists(model):
            from . import dcsim_fleet
            self.modbus_model = dcsim_fleet.modbus_model_from_file(model)
            self.dcagent_modbus_profile = dcsim_fleet.agent_profile(model)
        else:
            self.modbus_model = synthetic_modbus_model()
            self.dcagent_modbus_profile = None

    def discover_model(self):
        first = self.snmp_devices[0]
        self.snmp_model = device_model.walk_device(first.host, first.port,
                                                   self.community)

    def check_alive(self):
        for proc in self.processes:
            self.supervisor.check_alive(proc)

    def stop(self):
        for proc in self.processes:
            self.supervisor.stop(proc)
        self.processes = []


class FallbackFleet(Fleet):
    """snmpsim for SNMP and pymodbus servers for Modbus, one port each."""

    name = "snmpsim+pymodbus"

    def start(self, snmp_count, modbus_count):
        if snmp_count:
            self._start_snmpsim(snmp_count)
        if modbus_count:
            self._start_modbus(modbus_count)

    def _start_snmpsim(self, snmp_count):
        data_dir = os.path.join(self.work_dir, "snmpsim-data")
        os.makedirs(data_dir, exist_ok=True)
        # snmpsim picks the data file whose name is the community.
        with open(os.path.join(data_dir, self.community + ".snmprec"),
                  "w") as f:
            f.write(device_model.synthetic_snmprec())
        ports = procs.free_udp_ports(snmp_count)
        self.snmp_devices = [Device("snmp%05d" % i, "127.0.0.1", port)
                             for i, port in enumerate(ports)]
        args_file = os.path.join(self.work_dir, "snmpsim.args")
        with open(args_file, "w") as f:
            f.write("--data-dir=%s\n" % data_dir)
            f.write("--cache-dir=%s\n" % os.path.join(self.work_dir,
                                                      "snmpsim-cache"))
            f.write("--logging-method=null\n")
            if os.geteuid() == 0:
                # snmpsim refuses to run as root; its folders must be open
                # to the unprivileged user it switches to.
                for folder in (data_dir, os.path.join(self.work_dir,
                                                      "snmpsim-cache")):
                    os.makedirs(folder, exist_ok=True)
                    os.chmod(folder, 0o777)
            for port in ports:
                f.write("--agent-udpv4-endpoint=127.0.0.1:%d\n" % port)
        argv = ["snmpsimd", "--args-from-file=" + args_file]
        if os.geteuid() == 0:
            # Read before the file, so it must be on the command line.
            argv += ["--process-user=nobody", "--process-group=nogroup"]
        self.processes.append(self.supervisor.start("snmpsim", argv))
        self._wait_for_snmp()
        self.discover_model()

    def _start_modbus(self, modbus_count):
        ports = [procs.free_port() for _ in range(modbus_count)]
        self.modbus_devices = [Device("mb%05d" % i, "127.0.0.1", port)
                               for i, port in enumerate(ports)]
        proc = self.supervisor.start(
            "modbus-fleet",
            ["/usr/bin/python3", os.path.join(HERE, "modbus_fleet.py")] +
            [str(port) for port in ports])
        self.processes.append(proc)
        procs.wait_for_tcp(ports[-1], proc, self.supervisor)

    def _wait_for_snmp(self):
        deadline = time.monotonic() + 60 + len(self.snmp_devices) * 0.05
        last_error = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                first = self.snmp_devices[-1]
                device_model.walk_device(first.host, first.port,
                                         self.community, root=".1.3.6.1.2.1.1",
                                         timeout=20)
                return
            except Exception as error:  # not listening yet
                last_error = error
                time.sleep(1)
        raise RuntimeError("snmpsim did not answer: %s" % last_error)


def make_fleet(kind, supervisor, work_dir, dcsim_path=None):
    if kind == "fallback":
        return FallbackFleet(supervisor, work_dir)
    from . import dcsim_fleet
    return dcsim_fleet.DcsimFleet(supervisor, work_dir, dcsim_path)
