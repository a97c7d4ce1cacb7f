"""Turns the per-window results of a run into medians, spreads and ratios.

Every figure is the median over the repeats with its range (min-max).
Ratios compare dcagent with each peer window by window, since both were
measured in the same window on the same fleet, then take the median of those
ratios: the noise of a busy 2-core machine hits both sides of a ratio alike.
"""

import statistics

PEERS_FIRST = ["dcagent", "snmp_exporter", "collectd-bulk", "collectd-next",
               "collectd"]


def per_value_us(r):
    return r["cpu_seconds"] / r["values_read"] * 1e6 if r["values_read"] \
        else None


def per_poll_us(r):
    polls = r.get("polls_completed")
    if polls is None:  # results written before the field existed
        polls = r["polls_on_time"] + (r["polls_late"] if r["name"] ==
                                      "snmp_exporter" else 0)
    return r["cpu_seconds"] / polls * 1e6 if polls else None


def values_per_poll(r):
    polls = r.get("polls_completed")
    return r["values_read"] / polls if polls else None


def per_request_us(r):
    return r["cpu_seconds"] / r["requests"] * 1e6 if r.get("requests") \
        else None


def on_time_pct(r):
    return 100.0 * r["polls_on_time"] / r["polls_expected"] \
        if r["polls_expected"] else None


def mib(value):
    return value / 2**20


def spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    text = fmt % statistics.median(values)
    if len(values) > 1:
        text += " (" + fmt % min(values) + "-" + fmt % max(values) + ")"
    return text


def collectors_in(windows):
    names = {r["name"] for w in windows for r in w["results"]}
    order = [n for n in PEERS_FIRST if n in names]
    return order + sorted(names - set(order))


def by_size(phase_windows):
    sizes = {}
    for w in phase_windows:
        sizes.setdefault(w["devices"], []).append(w)
    return dict(sorted(sizes.items()))


def results_of(windows, name):
    return [r for w in windows for r in w["results"] if r["name"] == name]


def ratio_list(windows, name, peer, metric):
    """metric(dcagent) / metric(peer), window by window."""
    ratios = []
    for w in windows:
        mine = [r for r in w["results"] if r["name"] == name]
        theirs = [r for r in w["results"] if r["name"] == peer]
        if mine and theirs:
            a, b = metric(mine[0]), metric(theirs[0])
            if a is not None and b:
                ratios.append(a / b)
    return ratios


def snmp_table(windows):
    lines = ["| devices | collector | varbinds/poll | CPU µs/varbind |"
             " CPU µs/device poll | polls on time % | VmHWM MiB |"
             " /metrics series | render s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, group in by_size(windows).items():
        for name in collectors_in(group):
            rs = results_of(group, name)
            lines.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                size, name,
                spread([values_per_poll(r) for r in rs], "%.0f"),
                spread([per_value_us(r) for r in rs], "%.2f"),
                spread([per_poll_us(r) for r in rs], "%.0f"),
                spread([on_time_pct(r) for r in rs], "%.2f"),
                spread([mib(r["vm_hwm"]) for r in rs], "%.1f"),
                spread([r["render_series"] or None for r in rs], "%.0f"),
                spread([r["render_seconds"] for r in rs], "%.3f")))
    return "\n".join(lines)


def modbus_table(windows):
    lines = ["| devices | collector | CPU µs/register | CPU µs/request |"
             " polls on time % | VmHWM MiB |",
             "|---|---|---|---|---|---|"]
    for size, group in by_size(windows).items():
        for name in collectors_in(group):
            rs = results_of(group, name)
            lines.append("| %d | %s | %s | %s | %s | %s |" % (
                size, name,
                spread([per_value_us(r) for r in rs], "%.2f"),
                spread([per_request_us(r) for r in rs], "%.1f"),
                spread([on_time_pct(r) for r in rs], "%.2f"),
                spread([mib(r["vm_hwm"]) for r in rs], "%.1f")))
    return "\n".join(lines)


def ratio_table(windows, subject):
    lines = ["| devices | peer | CPU/value ratio | VmHWM ratio |",
             "|---|---|---|---|"]
    for size, group in by_size(windows).items():
        for peer in collectors_in(group):
            if peer.startswith(subject):
                continue
            subject_name = [n for n in collectors_in(group)
                            if n.startswith(subject)]
            if not subject_name:
                continue
            lines.append("| %d | %s | %s | %s |" % (
                size, peer,
                spread(ratio_list(group, subject_name[0], peer,
                                  per_value_us), "%.3f"),
                spread(ratio_list(group, subject_name[0], peer,
                                  lambda r: r["vm_hwm"]), "%.3f")))
    return "\n".join(lines)


def memory_per_target(windows):
    """Marginal VmHWM per device between the two largest fleet sizes."""
    sizes = by_size(windows)
    if len(sizes) < 2:
        return "needs two fleet sizes"
    (small, g1), (large, g2) = list(sizes.items())[-2:]
    lines = ["| collector | KiB per device (%d -> %d devices) |" %
             (small, large), "|---|---|"]
    for name in collectors_in(g2):
        a = [r["vm_hwm"] for r in results_of(g1, name)]
        b = [r["vm_hwm"] for r in results_of(g2, name)]
        if a and b:
            slope = (statistics.median(b) - statistics.median(a)) / (
                large - small)
            lines.append("| %s | %.1f |" % (name, slope / 1024))
    return "\n".join(lines)


def notes(windows):
    out = []
    for w in windows:
        for r in w["results"]:
            for note in r["notes"]:
                out.append("- %s, %d devices, repeat %d, %s: %s" % (
                    w["phase"], w["devices"], w["repeat"], r["name"], note))
    return "\n".join(out)


def markdown(run):
    snmp = [w for w in run["windows"] if w["phase"] == "snmp"]
    modbus = [w for w in run["windows"] if w["phase"] == "modbus"]
    parts = ["# Benchmark run %s" % run["started"], "",
             "Machine: %s" % run["machine"], "",
             "Command: `%s`" % run["command"], "",
             "Fleet: %s; %s" % (run["fleet"], run.get("model", "")), "",
             "Interval %g s, window %g s, %d repeat(s); medians with the "
             "range over repeats in parentheses." %
             (run["interval"], run["window_seconds"], run["repeats"]), ""]
    if snmp:
        parts += ["## SNMP", "", snmp_table(snmp), "",
                  "### dcagent relative to each peer (same window)", "",
                  ratio_table(snmp, "dcagent"), "",
                  "### Memory per target", "", memory_per_target(snmp), ""]
    if run.get("render"):
        parts += ["## /metrics render time (dcagent)", "",
                  "| devices | series | bytes | GET /metrics s |"
                  " dcagent CPU s | own render s | VmHWM MiB |",
                  "|---|---|---|---|---|---|---|"]
        for r in run["render"]:
            own = r.get("own_render_seconds")
            parts.append("| %d | %d | %d | %.3f | %.3f | %s | %.1f |" % (
                r["devices"], r["series"], r["bytes"], r["seconds"],
                r["cpu_seconds"], "n/a" if own is None else "%.3f" % own,
                mib(r["vm_hwm"])))
        parts.append("")
    if modbus:
        parts += ["## Modbus (interval %g s)" % run.get("modbus_interval", 0),
                  "", modbus_table(modbus), "",
                  ratio_table(modbus, "dcagent"), ""]
    extra = notes(run["windows"])
    for skipped in run.get("skipped", []):
        extra += "\n- not run: " + skipped
    if extra:
        parts += ["## Notes", "", extra, ""]
    return "\n".join(parts)
