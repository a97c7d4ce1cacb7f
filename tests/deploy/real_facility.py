"""The real thing for the deployment tests: dcsim serving a small hall on
loopback and dcagent polling it every second, on ports chosen free at run
time. The agent's configuration is the one dcsim writes for its fleet, so
the test keeps no second list of devices.

The hall: a 2N pair of UPSes, the A and B PDUs of two racks, an
environmental monitor per rack, two cooling units and a power meter, all
at site "main", room "hall-1".
"""

import json
import os

import dctest

COMMUNITY = "public"

# name, model, extra keys of the [[device]] table
DEVICES = [
    ("ups-a1", "ups-rfc1628",
     'feed = "A"\nlabels = { redundancy_group = "ups-1" }'),
    ("ups-b1", "ups-rfc1628",
     'feed = "B"\nlabels = { redundancy_group = "ups-1" }'),
    ("pdu-r01-a", "apc-rpdu2", 'feed = "A"\nrack = 1'),
    ("pdu-r01-b", "apc-rpdu2", 'feed = "B"\nrack = 1'),
    ("pdu-r02-a", "apc-rpdu2", 'feed = "A"\nrack = 2'),
    ("pdu-r02-b", "apc-rpdu2", 'feed = "B"\nrack = 2'),
    ("env-r01", "apc-netbotz", "rack = 1"),
    ("env-r02", "apc-netbotz", "rack = 2"),
    ("crac-1", "apc-inrow-dx", ""),
    ("crah-1", "liebert-icom-cw", ""),
    ("meter-main", "eastron-sdm630", ""),
]
SITE = "main"
ROOM = "hall-1"


class RealFacility:
    """Starts dcsim and dcagent under `processes`."""

    def __init__(self, processes, dcagent, dcsim):
        work = processes.work_dir
        for program in (dcagent, dcsim):
            if not os.access(program, os.X_OK):
                dctest.Skip(f"{program} is not built")
        self.control = f"127.0.0.1:{dctest.FreePort()}"
        fleet = os.path.join(work, "fleet.toml")
        with open(fleet, "w") as f:
            f.write(self._FleetText())

        agent_port = dctest.FreePort()
        self.address = f"127.0.0.1:{agent_port}"
        agent_config = os.path.join(work, "dcagent.toml")
        self.sim = processes.Start("dcsim", [
            dcsim, "--fleet", fleet, "--control", self.control,
            "--write-agent-config", agent_config,
            "--agent-listen", self.address, "--agent-interval", "1s"])
        dctest.WaitFor("dcsim to be ready",
                       lambda: "dcsim ready" in processes.Log("dcsim"), 30,
                       self.sim)

        env = dict(os.environ, DCSIM_COMMUNITY=COMMUNITY)
        self.agent = processes.Start(
            "dcagent", [dcagent, "--config", agent_config], env=env)
        dctest.WaitFor(
            "dcagent to be ready",
            lambda: dctest.HttpGet(f"http://{self.address}/-/ready"), 30,
            self.agent)

    def _FleetText(self):
        lines = ["[sim]", 'bind = "127.0.0.1"', f'control = "{self.control}"',
                 "seed = 7", "", "[hall]", f'site = "{SITE}"',
                 f'room = "{ROOM}"', ""]
        for name, model, extra in DEVICES:
            lines += ["[[device]]", f'name = "{name}"', f'model = "{model}"',
                      'address = "127.0.0.1"', f"port = {dctest.FreePort()}"]
            if extra:
                lines.append(extra)
            lines.append("")
        return "\n".join(lines)

    def Event(self, action, device):
        """Posts an event (docs/simulator.md) to dcsim's control port."""
        dctest.HttpPostJson(f"http://{self.control}/event",
                            {"action": action, "device": device})
