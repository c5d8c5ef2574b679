#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUT RESULTS: turn the guest's packet.csv and control.csv (in
OUT) into RESULTS/results.csv, control.csv, results.md and cost.png.
Needs python3-matplotlib (Debian's) for the chart only."""

import csv
import os
import sys

NAMES = {
    "plain": "plain bridge, no filtering (the limit)",
    "empty-hooks": "calibration: two empty bridge hooks",
    "vmfence-unbound": "calibration: vmfence loaded, port unbound",
    "vmfence-trusted": "calibration: vmfence, port trusted (no checks)",
    "vmfence-1addr": "calibration: vmfence, MAC + 1 IPv4",
    "vmfence-256addr": "calibration: vmfence, MAC + 256 IPv4",
    "vmfence": "vmfence, protections only",
    "vmfence-groups": "vmfence with security groups",
    "nft-set": "nftables bridge, concatenated sets",
    "nft-linear": "nftables bridge, linear per-port rules",
    "nft-groups": "nftables bridge with security groups",
    "br-netfilter": "br_netfilter alone, no rules (N ports on the host)",
    "cloudstack-nft": "CloudStack rules, Debian 12 tools (iptables-nft ...)",
    "cloudstack-legacy": "CloudStack rules, legacy x_tables",
    "plain-end": "plain bridge again, at the end",
}
ORDER = ["plain", "vmfence", "vmfence-groups", "nft-set", "nft-linear",
         "nft-groups", "cloudstack-nft", "cloudstack-legacy", "br-netfilter",
         "empty-hooks", "vmfence-unbound", "vmfence-trusted", "vmfence-1addr",
         "vmfence-256addr", "plain-end"]
NOT_YET = ["vmfence-groups", "nft-groups"]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt_int(v):
    return "" if v is None else "{:,.0f}".format(v)


def fmt_ratio(v):
    if v is None:
        return ""
    if v >= 0.1:
        return "%.3f" % v
    return "%.2g" % v


def fmt_s(v):
    if v is None:
        return ""
    if v >= 10:
        return "%.1f" % v
    if v >= 0.1:
        return "%.2f" % v
    return "%.3f" % v


def fmt_bytes(v):
    if v is None:
        return ""
    return "{:,.0f} B".format(v)


def load(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def nkey(r):
    n = r["n"]
    return int(n) if n.isdigit() else 0


def main():
    out, res = sys.argv[1], sys.argv[2]
    rows = load(os.path.join(out, "packet.csv"))
    ctrl = load(os.path.join(out, "control.csv"))
    host = open(os.path.join(out, "host.txt")).read().strip()
    plain = next(r for r in rows if r["config"] == "plain")
    plain_ipp = float(plain["insn_per_pkt"])
    by = {}
    for r in rows:
        by.setdefault(r["config"], []).append(r)

    # ---- results.csv ------------------------------------------------------
    cols = ["configuration", "n", "packets_per_s", "instructions_per_packet",
            "ratio", "load_time_s", "spread_pct", "frames_per_rep", "reps",
            "forged_ip_forwarded", "forged_mac_forwarded", "filters",
            "kernel_mem_per_port_bytes", "load_cpu_s", "id", "note"]
    table = []
    for c in ORDER:
        if c in NOT_YET:
            table.append({"configuration": NAMES[c], "id": c,
                          "note": "not yet measured: security groups are "
                                  "not implemented yet"})
            continue
        for r in sorted(by.get(c, []), key=nkey):
            table.append({
                "configuration": NAMES.get(c, c), "id": c,
                "n": r["n"] if r["n"] != "-" else "",
                "packets_per_s": r["pps"],
                "instructions_per_packet": r["insn_per_pkt"],
                "ratio": r["ratio"], "load_time_s": r["load_s"],
                "spread_pct": r["spread_pct"], "frames_per_rep": r["pkts"],
                "reps": r["reps"], "forged_ip_forwarded": r["forged_ip_fwd"],
                "forged_mac_forwarded": r["forged_mac_fwd"],
                "filters": r["filters"],
                "kernel_mem_per_port_bytes": r["mem_per_port"],
                "load_cpu_s": r["load_cpu_s"], "note": r["note"]})
    with open(os.path.join(res, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for t in table:
            w.writerow(t)
    with open(os.path.join(res, "control.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(ctrl[0].keys()) if ctrl else
                           ["operation"])
        w.writeheader()
        for r in ctrl:
            w.writerow(r)

    # ---- results.md -------------------------------------------------------
    md = []
    md.append("Measured " + host.splitlines()[0].split(": ", 1)[1]
              + "; instructions counted by QEMU's -icount (4 ns of guest "
              "time each), caches not modelled.  Frames/s are per guest "
              "second (250 M instructions).\n")
    md.append("| configuration | N | frames/s | instructions/frame | ratio "
              "| load time (guest s) | forged IP / MAC forwarded |")
    md.append("|---|---:|---:|---:|---:|---:|---|")
    for t in table:
        if t.get("id") in NOT_YET:
            md.append("| %s | | | not yet measured | | | |"
                      % t["configuration"])
            continue
        fwd = ""
        if t["filters"] != "n/a":
            fwd = "%s / %s" % (t["forged_ip_forwarded"].split("/")[0],
                               t["forged_mac_forwarded"].split("/")[0])
            if t["filters"] != "yes":
                fwd += " **does not filter**"
        md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            t["configuration"], fmt_int(num(t["n"])),
            fmt_int(num(t["packets_per_s"])),
            fmt_int(num(t["instructions_per_packet"])),
            fmt_ratio(num(t["ratio"])), fmt_s(num(t["load_time_s"])), fwd))
    md.append("")

    # Control plane.
    def c(op, approach, n):
        for r in ctrl:
            if r["operation"] == op and r["approach"] == approach \
                    and r["n"] == str(n):
                return num(r["guest_s"]), num(r["cpu_s"])
        return None, None

    ns = sorted({int(r["n"]) for r in ctrl if r["operation"] == "bind"})
    approaches = [("vmfence-apply", "vmfence: one apply"),
                  ("vmfence-port-set-calls", "vmfence: N+2 port set calls"),
                  ("nft-set", "nft -f, sets"),
                  ("nft-linear", "nft -f, linear rules"),
                  ("cloudstack-nft-restore", "CloudStack restore, nft tools"),
                  ("cloudstack-legacy-restore",
                   "CloudStack restore, legacy tools")]
    md.append("Binding N ports (guest seconds; CPU seconds of the "
              "commands in parentheses):\n")
    md.append("| N | " + " | ".join(a[1] for a in approaches) + " |")
    md.append("|---:|" + "---:|" * len(approaches))
    for n in ns:
        cells = []
        for a, _ in approaches:
            g, cpu = c("bind", a, n)
            cells.append("" if g is None else "%s (%s)" % (fmt_s(g), fmt_s(cpu)))
        md.append("| %s | %s |" % (fmt_int(n), " | ".join(cells)))
    md.append("")
    md.append("Adding one VM to a loaded host:\n")
    md.append("| approach | ports already there | guest s | CPU s | how |")
    md.append("|---|---:|---:|---:|---|")
    for r in ctrl:
        if r["operation"] == "add-one-vm":
            md.append("| %s | %s | %s | %s | %s |" % (
                r["approach"], fmt_int(num(r["n"])), fmt_s(num(r["guest_s"])),
                fmt_s(num(r["cpu_s"])), r["note"]))
    md.append("")
    md.append("Kernel memory (slab + per-CPU + vmalloc, before and after the "
              "load, 1 CPU):\n")
    md.append("| configuration | N | total | per port |")
    md.append("|---|---:|---:|---:|")
    for t in table:
        if t.get("id") in NOT_YET or not t.get("kernel_mem_per_port_bytes"):
            continue
        n = num(t["n"])
        if n is None or n < 100:
            continue
        md.append("| %s | %s | %s | %s |" % (
            t["configuration"], fmt_int(n),
            fmt_bytes(num(t["kernel_mem_per_port_bytes"]) * n),
            fmt_bytes(num(t["kernel_mem_per_port_bytes"]))))
    md.append("")

    # Targets.
    md.append("Targets:\n")
    md.append("| target | measured | |")
    md.append("|---|---|---|")
    vm = sorted(by.get("vmfence", []), key=nkey)
    if vm:
        ratios = [float(r["ratio"]) for r in vm]
        ipps = [float(r["insn_per_pkt"]) for r in vm]
        worst = min(ratios)
        md.append("| vmfence >= 0.90 of the plain bridge at every N | %s "
                  "(N = %s) | %s |" % (
                      ", ".join("%.3f" % x for x in ratios),
                      ", ".join(r["n"] for r in vm),
                      "met" if worst >= 0.90 else "**missed**"))
        flat = (max(ipps) - min(ipps)) / min(ipps) * 100
        md.append("| vmfence flat within 2%% across N | %.2f%% | %s |"
                  % (flat, "met" if flat <= 2 else "**missed**"))
        bad = [r["n"] for r in vm if r["filters"] != "yes"]
        md.append("| forged IP and MAC forwarded: 0 | %s | %s |" % (
            "0 at every N" if not bad else "forwarded at N = " + ", ".join(bad),
            "met" if not bad else "**missed**"))
    nmax = max(ns) if ns else None
    if nmax:
        va, _ = c("bind", "vmfence-apply", nmax)
        for a, label in (("nft-set", "sets"), ("nft-linear", "linear rules")):
            nf, _ = c("bind", a, nmax)
            if va is not None and nf:
                md.append("| %s ports in one apply < 1/10 of nft -f (%s) | "
                          "%s s vs %s s: %.3f | %s |" % (
                              fmt_int(nmax), label, fmt_s(va), fmt_s(nf),
                              va / nf, "met" if va < nf / 10 else "**missed**"))
    adds = {r["approach"]: num(r["guest_s"]) for r in ctrl
            if r["operation"] == "add-one-vm"}
    va = adds.get("vmfence-port-set")
    for a, label in (("nft-set", "sets"), ("nft-linear", "linear rules")):
        if va is not None and adds.get(a) is not None:
            md.append("| adding one VM no slower than one nft -f (%s) | "
                      "%s s vs %s s | %s |" % (
                          label, fmt_s(va), fmt_s(adds[a]),
                          "met" if va <= adds[a] else "**missed**"))
    pe = by.get("plain-end")
    if pe:
        d = (float(pe[0]["insn_per_pkt"]) - plain_ipp) / plain_ipp * 100
        md.append("| (check) plain bridge at the end vs the start | %+.3f%% | |"
                  % d)
    md.append("")
    with open(os.path.join(res, "results.md"), "w") as f:
        f.write("\n".join(md))

    chart(by, plain_ipp, os.path.join(res, "cost.png"), host)


def chart(by, plain_ipp, path, host):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 6), dpi=110)
    series = [("vmfence", "vmfence, protections only", "C0", "o"),
              ("nft-set", "nftables, concatenated sets", "C1", "s"),
              ("nft-linear", "nftables, linear per-port rules", "C3", "^"),
              ("cloudstack-nft", "CloudStack rules (iptables-nft ...)", "C4",
               "D"),
              ("cloudstack-legacy", "CloudStack rules (legacy x_tables)", "C5",
               "v")]
    for key, label, color, marker in series:
        rs = sorted(by.get(key, []), key=lambda r: int(r["n"]))
        if not rs:
            continue
        xs = [int(r["n"]) for r in rs]
        ys = [float(r["insn_per_pkt"]) for r in rs]
        ax.plot(xs, ys, marker=marker, color=color, label=label)
        for x, y in zip(xs, ys):
            ax.annotate("%.3g" % (plain_ipp / y), (x, y), fontsize=7,
                        textcoords="offset points", xytext=(4, 4),
                        color=color)
    bn = sorted(by.get("br-netfilter", []), key=lambda r: int(r["n"]))
    if bn:
        ax.plot([int(r["n"]) for r in bn],
                [float(r["insn_per_pkt"]) for r in bn], color="C7", lw=1,
                ls="--", marker=".", label="br_netfilter alone, no rules")
    ax.axhline(plain_ipp, color="k", lw=1, label="plain bridge (%.0f)"
               % plain_ipp)
    ax.axhline(plain_ipp / 0.9, color="C0", lw=1, ls=":",
               label="vmfence target: 0.90 of plain")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N bound ports (the measured port bound last)")
    ax.set_ylabel("guest instructions per 60-byte frame (log)")
    ax.set_title("Cost per frame from a VM's port to the uplink "
                 "(numbers: ratio to plain bridge)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.text(0.01, 0.01, "QEMU TCG -icount shift=2,sleep=off, -smp 1, "
             "pktgen netif_receive into a veth bridge port; "
             + host.splitlines()[2].split(": ", 1)[1] + "; "
             + host.splitlines()[3].split(": ", 1)[1], fontsize=6)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)


if __name__ == "__main__":
    main()
