"""dcbench: the collector benchmark behind bench/run.sh.

The package starts a simulated fleet, lets several collectors poll it at the
same time, measures each collector's own CPU time and memory from /proc, and
writes a table of medians with their spread. Everything runs on 127.0.0.1.
Standard library only, so it runs under Debian's /usr/bin/python3.
"""
