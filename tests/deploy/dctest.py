"""Helpers for the deployment tests: real Prometheus and Alertmanager
processes on free loopback ports, HTTP queries, and ctest's skip code.

Every process a test starts is owned by a Processes object, which stops
them all when the test ends, even on failure, and prints their logs when
asked to.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# ctest marks a test that exits with this code as skipped (SKIP_RETURN_CODE
# in tests/deploy/CMakeLists.txt).
SKIP = 77


def Skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def RequireTools(*names):
    for name in names:
        if shutil.which(name) is None:
            Skip(f"{name} is not installed (deploy/setup-debian.sh)")


def ParseEndToEndArgs(description):
    """The command line shared by the tests that run against dcsim and
    dcagent when ctest passes their binaries, and a stand-in otherwise.
    Exits with the skip code when ctest passes --skip."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dcagent", help="dcagent binary")
    parser.add_argument("--dcsim", help="dcsim binary")
    parser.add_argument("--skip", metavar="REASON",
                        help="skip, saying why (for ctest)")
    args = parser.parse_args()
    if args.skip:
        Skip(args.skip)
    RequireTools("prometheus")
    return args


def SourceDir():
    """The top of the source tree (this file is tests/deploy/dctest.py)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def FreePort():
    """A port free on 127.0.0.1 now for both TCP and UDP. Another process
    may take it before ours binds; the callers' start-up checks would then
    fail loudly rather than talk to a stranger."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


class Processes:
    """Starts processes with logs in `work_dir` and stops them on exit."""

    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.started = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.StopAll()
        if kind is not None:
            self.PrintLogs()
        return False

    def Start(self, name, argv, env=None):
        log_path = os.path.join(self.work_dir, f"{name}.log")
        log = open(log_path, "wb")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL,
                                   cwd=self.work_dir, env=env)
        self.started.append((name, process, log, log_path))
        return process

    def Stop(self, process):
        for _, running, log, _ in self.started:
            if running is process:
                _Terminate(running)
                log.close()

    def StopAll(self):
        for _, process, log, _ in reversed(self.started):
            _Terminate(process)
            log.close()

    def Log(self, name):
        """What a started process has written so far."""
        for started, _, log, log_path in self.started:
            if started == name:
                log.flush()
                with open(log_path, "rb") as f:
                    return f.read().decode("utf-8", "replace")
        raise KeyError(name)

    def PrintLogs(self, tail=60):
        for name, _, _, log_path in self.started:
            with open(log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            print(f"----- last lines of {name} -----")
            print("\n".join(lines[-tail:]))


def _Terminate(process):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def HttpGet(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def HttpPostJson(url, payload, timeout=5):
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def WaitFor(what, check, timeout, process=None, interval=0.2):
    """Calls `check` until it returns a true value, which is returned.
    Fails with `what` when `timeout` seconds pass or `process` exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, urllib.error.URLError, ValueError, KeyError):
            pass
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"process exited with {process.returncode} while waiting "
                f"for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for "
                                 f"{what}")
        time.sleep(interval)


class Prometheus:
    """A Prometheus server on a free loopback port."""

    def __init__(self, processes, config_text, rule_files=()):
        work = processes.work_dir
        self.port = FreePort()
        self.url = f"http://127.0.0.1:{self.port}"
        rules_dir = os.path.join(work, "rules")
        os.makedirs(rules_dir, exist_ok=True)
        for path in rule_files:
            shutil.copy(path, rules_dir)
        config_path = os.path.join(work, "prometheus.yml")
        with open(config_path, "w") as f:
            f.write(config_text)
            f.write(f"rule_files:\n  - {rules_dir}/*.yml\n")
        self.process = processes.Start("prometheus", [
            "prometheus",
            f"--config.file={config_path}",
            f"--storage.tsdb.path={os.path.join(work, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--web.enable-lifecycle",
        ])
        WaitFor("Prometheus to be ready",
                lambda: HttpGet(f"{self.url}/-/ready"), 30, self.process)

    def Query(self, expr, at=None):
        """Instant query; returns the result list or raises with the
        server's error (e.g. a parse error)."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return self._Api("query", params)

    def QueryRange(self, expr, start, end, step):
        return self._Api("query_range", {
            "query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
            "step": str(step)})

    def LabelValues(self, label, match):
        return self._Api(f"label/{urllib.parse.quote(label)}/values",
                         {"match[]": match})

    def _Api(self, path, params):
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            body = HttpGet(url)
        except urllib.error.HTTPError as error:
            body = error.read()
        reply = json.loads(body)
        if reply.get("status") != "success":
            raise QueryError(f"{reply.get('errorType')}: {reply.get('error')}")
        data = reply["data"]
        return data["result"] if isinstance(data, dict) else data


class QueryError(Exception):
    pass


def PrometheusConfig(job, targets, scrape_interval="1s",
                     alertmanager_port=None):
    """A minimal prometheus.yml scraping `targets` ("host:port") as `job`,
    evaluating rules every second."""
    lines = [
        "global:",
        f"  scrape_interval: {scrape_interval}",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        f"  - job_name: {job}",
        "    static_configs:",
        f"      - targets: [{', '.join(repr(t) for t in targets)}]",
    ]
    if alertmanager_port is not None:
        lines += [
            "alerting:",
            "  alertmanagers:",
            "    - static_configs:",
            f"        - targets: ['127.0.0.1:{alertmanager_port}']",
        ]
    return "\n".join(lines) + "\n"


def TestRuleFiles(work_dir):
    """The project's rule files, with every rule group evaluated each
    second: the groups with a longer interval of their own (capacity,
    inventory) would otherwise leave their series empty for the first
    minutes of a short test. Returns the rewritten files' paths."""
    source = os.path.join(SourceDir(), "deploy", "prometheus", "rules")
    out_dir = os.path.join(work_dir, "rule-sources")
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name in sorted(os.listdir(source)):
        if not name.endswith(".yml"):
            continue
        with open(os.path.join(source, name)) as f:
            text = f.read()
        text = re.sub(r"(?m)^    interval: \S+$", "    interval: 1s", text)
        path = os.path.join(out_dir, name)
        with open(path, "w") as f:
            f.write(text)
        paths.append(path)
    return paths


class Alertmanager:
    """An Alertmanager on a free loopback port, clustering off."""

    def __init__(self, processes, config_path):
        work = processes.work_dir
        self.port = FreePort()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = processes.Start("alertmanager", [
            AlertmanagerBinary(),
            f"--config.file={config_path}",
            f"--storage.path={os.path.join(work, 'alertmanager')}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--cluster.listen-address=",
        ])
        WaitFor("Alertmanager to be ready",
                lambda: HttpGet(f"{self.url}/-/ready"), 30, self.process)

    def PostAlerts(self, alerts):
        HttpPostJson(f"{self.url}/api/v2/alerts", alerts)

    def Alerts(self):
        return json.loads(HttpGet(f"{self.url}/api/v2/alerts"))


def AlertmanagerBinary():
    """Debian names the program prometheus-alertmanager."""
    for name in ("prometheus-alertmanager", "alertmanager"):
        if shutil.which(name):
            return name
    Skip("Alertmanager is not installed (deploy/setup-debian.sh)")
