#!/usr/bin/python3
"""`cmake --install` (into a DESTDIR) puts every deployable piece where the
operator guide says, and `cpack` makes a Debian package of it that
dpkg-deb accepts, with its dependencies, maintainer scripts and
conffiles.

    install_test.py install BUILD_DIR PREFIX [PROGRAM...]
    install_test.py package BUILD_DIR PREFIX [PROGRAM...]

PROGRAMs are the executables this build has (dcagent, dcplan, dcsim).
"""

import glob
import os
import subprocess
import sys
import tempfile

import dctest

SOURCE = dctest.SourceDir()


def Expected(prefix, programs):
    """Installed paths (relative to the root) that must exist."""
    etc = "etc" if prefix == "/usr" else f"{prefix.strip('/')}/etc"
    units = ("lib/systemd/system" if prefix == "/usr" else
             f"{prefix.strip('/')}/lib/systemd/system")
    prefix = prefix.strip("/")
    share = f"{prefix}/share/dcagent"
    paths = [f"{prefix}/bin/{p}" for p in programs]
    paths += [f"{share}/dashboards/{os.path.basename(p)}" for p in
              glob.glob(os.path.join(SOURCE, "dashboards/*.json"))]
    paths += [f"{share}/grafana/provisioning/dashboards.yml",
              f"{share}/examples/prometheus/prometheus.yml",
              f"{share}/examples/prometheus/file_sd/dcagent-hall-1.yml",
              f"{share}/examples/alertmanager/alertmanager.yml",
              f"{share}/examples/scaling/prometheus-site.yml",
              f"{units}/dcagent.service",
              f"{units}/dcagent@.service",
              f"{prefix}/share/doc/dcmon/operator-guide.md",
              f"{prefix}/share/doc/dcmon/architecture.md"]
    paths += [f"{share}/prometheus/rules/{os.path.basename(p)}" for p in
              glob.glob(os.path.join(SOURCE, "deploy/prometheus/rules/*"))]
    for protocol in ("snmp", "modbus"):
        for profile in glob.glob(os.path.join(
                SOURCE, f"collectors/{protocol}/profiles/**/*.toml"),
                recursive=True):
            relative = os.path.relpath(
                profile,
                os.path.join(SOURCE, f"collectors/{protocol}/profiles"))
            paths.append(f"{share}/profiles/{protocol}/{relative}")
    if os.path.exists(os.path.join(SOURCE, "agent/examples/dcagent.toml")):
        paths.append(f"{etc}/dcagent/dcagent.toml")
    return paths


def Install(build, prefix, programs):
    with tempfile.TemporaryDirectory(prefix="dc-install-") as root:
        env = dict(os.environ, DESTDIR=root)
        subprocess.run(["cmake", "--install", build], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        problems = [f"missing: /{p}" for p in Expected(prefix, programs)
                    if not os.path.exists(os.path.join(root, p))]

        # The unit runs this prefix's program with this prefix's config.
        unit = next((p for p in Expected(prefix, programs)
                     if p.endswith("/dcagent.service")), None)
        etc = "/etc" if prefix == "/usr" else f"{prefix}/etc"
        start = (f"ExecStart={prefix}/bin/dcagent --config "
                 f"{etc}/dcagent/dcagent.toml")
        if unit and os.path.exists(os.path.join(root, unit)):
            with open(os.path.join(root, unit)) as f:
                if start not in f.read().splitlines():
                    problems.append(f"/{unit} lacks '{start}'")
        print("\n".join(problems) or "every expected file is installed")
        return 1 if problems else 0


def Package(build, prefix, programs):
    dctest.RequireTools("cpack", "dpkg-deb", "dpkg-shlibdeps")
    if prefix != "/usr":
        dctest.Skip(f"the build's prefix is {prefix}; packages are built "
                    "from a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
                    "(dcagent compiles in where its profiles are)")
    with tempfile.TemporaryDirectory(prefix="dc-package-") as out:
        subprocess.run(["cpack", "-G", "DEB", "-B", out, "--config",
                        os.path.join(build, "CPackConfig.cmake")],
                       check=True, stdout=subprocess.DEVNULL)
        packages = glob.glob(os.path.join(out, "*.deb"))
        if len(packages) != 1:
            print(f"expected one package, found {packages}")
            return 1
        package = packages[0]
        problems = []

        def Field(name):
            return subprocess.run(["dpkg-deb", "--field", package, name],
                                  capture_output=True, text=True,
                                  check=True).stdout.strip()

        if Field("Package") != "dcmon":
            problems.append(f"Package is {Field('Package')!r}")
        depends = Field("Depends")
        if "adduser" not in depends:
            problems.append(f"Depends lacks adduser: {depends!r}")
        if "dcagent" in programs and "libsnmp" not in depends:
            problems.append(f"Depends lacks the SNMP library: {depends!r}")

        listing = subprocess.run(["dpkg-deb", "--contents", package],
                                 capture_output=True, text=True,
                                 check=True).stdout
        files = {line.split()[-1].lstrip("./") for line in
                 listing.splitlines()}
        for path in Expected(prefix, programs):
            if path not in files:
                problems.append(f"package lacks /{path}")

        control = os.path.join(out, "control")
        subprocess.run(["dpkg-deb", "--control", package, control],
                       check=True)
        with open(os.path.join(control, "postinst")) as f:
            if "adduser --system" not in f.read():
                problems.append("postinst does not create the dcagent user")
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            if not os.access(path, os.X_OK):
                problems.append(f"{script} is not executable")
            syntax = subprocess.run(["sh", "-n", path], capture_output=True,
                                    text=True)
            if syntax.returncode != 0:
                problems.append(f"{script}: {syntax.stderr.strip()}")
        conffiles = os.path.join(control, "conffiles")
        if os.path.exists(os.path.join(SOURCE, "agent/examples/dcagent.toml")):
            with open(conffiles) as f:
                if "/etc/dcagent/dcagent.toml" not in f.read().split():
                    problems.append("dcagent.toml is not a conffile")

        print(f"{os.path.basename(package)}: Depends: {depends}")
        print("\n".join(problems) or "package checked")
        return 1 if problems else 0


def Main(argv):
    if len(argv) < 4 or argv[1] not in ("install", "package"):
        print(__doc__)
        return 2
    action, build, prefix, programs = argv[1], argv[2], argv[3], argv[4:]
    return (Install if action == "install" else Package)(build, prefix,
                                                        programs)


if __name__ == "__main__":
    sys.exit(Main(sys.argv))
