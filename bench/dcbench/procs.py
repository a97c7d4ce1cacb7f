"""Starting and stopping the processes of one benchmark run.

Every child is started in its own session so that it and anything it forks
can be signalled as a group. The Supervisor remembers each child and stops
them all when the run ends, whatever the reason: normal end, an exception,
SIGINT or SIGTERM.
"""

import atexit
import os
import signal
import socket
import subprocess
import time


class Supervisor:
    """Owns the child processes of a run; stop_all() is safe to call twice."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.children = []
        atexit.register(self.stop_all)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame):
        self.stop_all()
        raise SystemExit(128 + signum)

    def start(self, name, argv, env=None, cwd=None):
        """Starts argv with stdout and stderr in LOG_DIR/NAME.log."""
        log = open(os.path.join(self.log_dir, name + ".log"), "ab")
        child_env = dict(os.environ)
        child_env.update(env or {})
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=child_env,
                                cwd=cwd, start_new_session=True)
        log.close()
        proc.bench_name = name
        self.children.append(proc)
        return proc

    def check_alive(self, proc):
        """Raises with the tail of the child's log if it has exited."""
        if proc.poll() is None:
            return
        raise RuntimeError("%s exited with status %s; last log lines:\n%s" %
                           (proc.bench_name, proc.returncode,
                            self.log_tail(proc.bench_name)))

    def log_tail(self, name, lines=15):
        path = os.path.join(self.log_dir, name + ".log")
        try:
            with open(path, "rb") as f:
                text = f.read()[-8000:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, proc, grace=5.0):
        """SIGTERM to the child's process group, SIGKILL after grace."""
        if proc in self.children:
            self.children.remove(proc)
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def stop_all(self):
        # Newest first: collectors before the fleet they poll.
        for proc in list(reversed(self.children)):
            self.stop(proc)


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port the kernel reports free right now on host."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_ports(count, host="127.0.0.1"):
    """count distinct free UDP ports, held open together while choosing."""
    held = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((host, 0))
            held.append(s)
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def wait_for_tcp(port, proc, supervisor, timeout=30.0, host="127.0.0.1"):
    """Waits until host:port accepts connections or the child dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.check_alive(proc)
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("%s did not listen on %s:%d within %.0f s" %
                       (proc.bench_name, host, port, timeout))
