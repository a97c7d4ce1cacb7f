#!/usr/bin/python3
"""The systemd units of dcagent: accepted by `systemd-analyze verify`
without a single warning, sandboxed as the operator guide promises, and
rated at most 2.0 ("OK") by `systemd-analyze security --offline`.

verify needs the programs a unit runs to exist, so it checks a copy whose
/usr/bin/dcagent points at an executable made here.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import dctest

UNITS = os.path.join(dctest.SourceDir(), "deploy", "systemd")
NAMES = ["dcagent.service", "dcagent@.service"]

# Settings the sandbox relies on, as "Key=value" lines.
REQUIRED = [
    "User=dcagent",
    "Group=dcagent",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "RestrictSUIDSGID=yes",
    "SystemCallFilter=@system-service",
    "ExecReload=/bin/kill -HUP $MAINPID",
]


def Copy(work, name):
    """The unit with /usr/bin/dcagent replaced by a stand-in executable;
    instance units become an instance named "hall-1"."""
    program = os.path.join(work, "dcagent")
    shutil.copy("/bin/true", program)
    with open(os.path.join(UNITS, name)) as f:
        text = f.read().replace("/usr/bin/dcagent", program)
    path = os.path.join(work, name.replace("@.", "@hall-1."))
    with open(path, "w") as f:
        f.write(text)
    return path


class SystemdUnitTest(unittest.TestCase):

    def test_units_have_the_sandbox_settings(self):
        for name in NAMES:
            with open(os.path.join(UNITS, name)) as f:
                lines = set(f.read().splitlines())
            for setting in REQUIRED:
                self.assertIn(setting, lines, name)
            state = [l for l in lines if l.startswith("StateDirectory=")]
            self.assertEqual(len(state), 1, name)

    def test_verify_accepts_the_units_without_warnings(self):
        for name in NAMES:
            with tempfile.TemporaryDirectory() as work:
                path = Copy(work, name)
                result = subprocess.run(["systemd-analyze", "verify", path],
                                        capture_output=True, text=True)
                output = (result.stdout + result.stderr).strip()
                self.assertEqual(result.returncode, 0, output)
                self.assertEqual(output, "", name)

    def test_security_exposure_is_ok(self):
        for name in NAMES:
            with tempfile.TemporaryDirectory() as work:
                path = Copy(work, name)
                result = subprocess.run(
                    ["systemd-analyze", "security", "--offline=yes",
                     "--no-pager", "--threshold=20", path],
                    capture_output=True, text=True)
                level = re.search(r"Overall exposure level for \S+: "
                                  r"([0-9.]+)", result.stdout)
                self.assertIsNotNone(level, result.stdout + result.stderr)
                print(f"{name}: exposure {level.group(1)}")
                self.assertEqual(result.returncode, 0, result.stdout)


if __name__ == "__main__":
    dctest.RequireTools("systemd-analyze")
    unittest.main()
