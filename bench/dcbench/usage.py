"""A process's own CPU time and memory, read from /proc.

CPU time comes from two sources. /proc/PID/stat's utime+stime counts every
thread the process ever had but only in 10 ms clock ticks; the first field of
/proc/PID/task/*/schedstat is exact to the nanosecond but forgets threads
that have exited. A window's CPU time is the schedstat delta unless the tick
count grew clearly more, which means threads exited during the window.
"""

import glob
import os

_TICK = 1.0 / os.sysconf("SC_CLK_TCK")


class Usage:
    """One reading of a process's CPU counters and memory (bytes)."""

    def __init__(self, pid):
        with open("/proc/%d/stat" % pid) as f:
            # The command name may contain spaces; fields follow the ')'.
            fields = f.read().rsplit(")", 1)[1].split()
        self.tick_seconds = (int(fields[11]) + int(fields[12])) * _TICK
        self.exact_seconds = 0.0
        for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
            try:
                with open(path) as f:
                    self.exact_seconds += int(f.read().split()[0]) / 1e9
            except (OSError, ValueError, IndexError):
                pass  # the thread exited between glob and open
        self.memory = {}
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    self.memory[key] = int(value.split()[0]) * 1024


def cpu_seconds_between(before, after):
    """CPU seconds spent between two readings of the same process."""
    exact = after.exact_seconds - before.exact_seconds
    ticks = after.tick_seconds - before.tick_seconds
    # Two readings of 10 ms ticks disagree with the truth by up to 20 ms.
    if ticks > exact + 0.03:
        return ticks
    return exact
