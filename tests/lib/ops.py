#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tests/lib/ops.py: the Python helpers of tests/lib/ops.sh (the tests of
operating vmfence, tests/cases/9x-*.sh).  Loaded by opsq (functions on d),
or run as a script: ops.py CMD ARGS... (ops_py, ops_expect_ok, ops_records)."""
import datetime
import ipaddress
import json
import socket
import sys


def _net(a):
    """An address or prefix as a network, "10.0.0.0/24" (host bits
    cleared; an address alone is /32 or /128), IPv6 compressed: one form
    for what vmfencectl prints and a document says.  (socket, not
    ipaddress: ten times faster, for listings of 10,000 ports.)"""
    addr, slash, plen = a.partition("/")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    b = socket.inet_pton(fam, addr)
    bits = len(b) * 8
    n = int(plen) if slash else bits
    if not 0 <= n <= bits:
        raise ValueError("bad prefix length in %r" % a)
    v = int.from_bytes(b, "big") >> (bits - n) << (bits - n)
    return "%s/%d" % (socket.inet_ntop(fam, v.to_bytes(len(b), "big")), n)


# A port entry's keys that a listing ("-j port show") always has and a
# document may leave out: what it means then.
PORT_DEFAULTS = {"mode": "enforce", "label": "", "addrs": [], "multicast": "deny", "ethertypes": []}
# Keys judged only where the expectation has them: a document names no
# ifindex, a dump no ifindex, and an APPLY keeps the seq in force.
PORT_OPTIONAL = ("ifindex", "seq")


def norm_port(p):
    """A port entry of a listing, a dump or a document, in one form: the
    defaults filled in, the MAC in lower case, addresses as networks
    (10.0.0.1 is 10.0.0.1/32) and ethertypes as 0xNNNN, both sorted (a
    set, whatever order they were given in); other keys as they are."""
    n = dict(PORT_DEFAULTS)
    n.update(p)
    n["mac"] = n["mac"].lower()
    n["addrs"] = sorted(_net(a) for a in n["addrs"])
    n["ethertypes"] = sorted("0x%04x" % int(e, 16) for e in n["ethertypes"])
    return n


def port_entries(x):
    """The port entries of x: a listing (a list), a dump or document (its
    "ports"), or the path of a JSON file holding either."""
    if isinstance(x, str):
        with open(x) as fh:
            x = json.load(fh)
    return x["ports"] if isinstance(x, dict) else x


def ports_diff(got, want, subset=False, only=None):
    """The one comparison of port listings in the tests: what differs
    between got (what is listed: "-j port show", a dump) and want (what
    must be: a listing, a dump, an APPLY document, or the path of one),
    one line per difference, [] if none.  Each port of want must be
    listed once, key by key as norm_port puts it, ifindex and seq judged
    only where want gives them; a port listed that want does not name is
    a difference unless subset.  only (ifnames, a list or "a,b,..."):
    ports not named are left out on both sides."""
    got, want = port_entries(got), port_entries(want)
    if isinstance(only, str):
        only = [x for x in only.split(",") if x]
    if only:
        got = [p for p in got if p["ifname"] in only]
        want = [p for p in want if p["ifname"] in only]
    bad = []
    listed = {}
    for p in got:
        if p["ifname"] in listed:
            bad.append("%s: listed more than once" % p["ifname"])
        listed[p["ifname"]] = p
    named = set()
    for p in want:
        name = p["ifname"]
        named.add(name)
        g = listed.get(name)
        if g is None:
            bad.append("%s: not listed, expected %s" % (name, json.dumps(norm_port(p), sort_keys=True)))
            continue
        w, h = norm_port(p), norm_port(g)
        for k in PORT_OPTIONAL:
            if k not in w:
                h.pop(k, None)
        for k in sorted(set(w) | set(h)):
            if k not in h:
                bad.append("%s: no %s, expected %s" % (name, k, json.dumps(w[k])))
            elif k not in w:
                bad.append("%s: %s %s, expected none" % (name, k, json.dumps(h[k])))
            elif w[k] != h[k]:
                bad.append("%s: %s %s, expected %s" % (name, k, json.dumps(h[k]), json.dumps(w[k])))
    if not subset:
        for name in sorted(set(listed) - named):
            bad.append("%s: listed, not expected: %s" % (name, json.dumps(norm_port(listed[name]), sort_keys=True)))
    return bad


def ports_check(d, want, subset=False, only=None):
    """For tests/lib.sh's ports_diff (through pkt.py ctl-json): ["OK"],
    or the differences between d (the listing now) and want."""
    return ports_diff(d, want, subset, only) or ["OK"]


def doc_diff(d, want, exact=True):
    """'' if the configuration d (a dump, or {"ports": [...], "bridges":
    [...]}) holds the document want (a path or a dict), else what
    differs: its ports as ports_diff says, its bridges' settings."""
    if isinstance(want, str):
        want = json.load(open(want))
    # apply ignores a document's ifindexes, and a dump has none.
    ports = [{k: v for k, v in p.items() if k != "ifindex"} for p in want.get("ports", [])]
    bad = ports_diff(d.get("ports", []), ports, subset=not exact)
    got_b = {b["ifname"]: b for b in d.get("bridges", [])}
    for b in want.get("bridges", []):
        g = got_b.get(b["ifname"])
        if g is None or g["unbound"] != b["unbound"]:
            bad.append("bridge %s: %s, expected unbound %s" % (b["ifname"], g, b["unbound"]))
    if exact:
        extra = sorted(set(got_b) - {b["ifname"] for b in want.get("bridges", [])})
        if extra:
            bad.append("not in the document: " + " ".join("bridge " + b for b in extra))
    return "; ".join(bad)


def ev_time(e):
    t = datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def events(path):
    out = []
    for line in open(path):
        if line.strip():
            out.append(json.loads(line))
    return out


def cmd_rate(path, rate, ifname, dropped, flooders="1"):
    """Events of ifname ("*": all) in a monitor -j log, against the
    limiters, during a flood from one port (flooders 1) or more, then one
    frame from each after the last window ended.

    Event times are stamped after the limiter decided, on a guest whose
    vCPUs the host may stall for a while: they are only checked loosely.
    With one flooder the limiter's windows are told by the events
    themselves: the first event of a window reports what the previous one
    suppressed, the others report 0, so each run that starts with
    suppressed > 0 is one window and holds at most rate events (exactly
    rate while the flood lasts).  With several ports flooding (the
    namespace's limit) windows are only told by time: on average at most
    rate a second, at most 2 * rate in any 0.99 s.  In all cases every
    dropped frame is an event or counted in a later event's suppressed."""
    rate, dropped, flooders = int(rate), int(dropped), int(flooders)
    evs = [e for e in events(path) if ifname == "*" or e.get("ifname") == ifname]
    bad = []
    if len(evs) <= flooders:
        print("%d events of %s: the flood made none" % (len(evs), ifname))
        return
    flood, flush = evs[:-flooders], evs[-flooders:]
    ts = [ev_time(e) for e in flood]
    span = ts[-1] - ts[0]
    supp = [int(e.get("suppressed", 0)) for e in evs]
    # Windows by time (greedy, 0.99 s).
    tgroups, start, n = [], None, 0
    for t in ts:
        if start is None or t > start + 0.99:
            if start is not None:
                tgroups.append(n)
            start, n = t, 0
        n += 1
    tgroups.append(n)
    if len(flood) > rate * (span + 2):
        bad.append("%d events in %.2f s: more than %d a second" % (len(flood), span, rate))
    if max(tgroups) > 2 * rate:
        bad.append("%d events within 0.99 s (limit %d a second): %s" % (max(tgroups), rate, tgroups))
    if tgroups[0] < rate:
        bad.append("%d events in the first 0.99 s of the flood, expected at least %d" % (tgroups[0], rate))
    wgroups = []
    if flooders == 1:
        for e, sp in zip(flood, supp):
            if not wgroups or sp > 0:
                wgroups.append(0)
            wgroups[-1] += 1
        if max(wgroups) > rate:
            bad.append("a window (events from one reporting suppressed > 0 to the next) "
                       "holds %d events, more than %d: %s" % (max(wgroups), rate, wgroups))
        if wgroups[0] != rate or any(g != rate for g in wgroups[1:-1]):
            bad.append("windows during the flood hold %s events, expected %d each" % (wgroups, rate))
        if len(wgroups) - 1 > span + 1:
            bad.append("%d windows in %.2f s: less than a second apart" % (len(wgroups), span))
    if not any(supp[1:]):
        bad.append("no later event reports suppressed events")
    # The frame sent after the flood reports what the flood's last window
    # suppressed, which may be nothing (a slow machine's flood can end
    # with a window of fewer frames than the rate): the sum below says
    # whether every suppressed frame was reported.
    if len(evs) + sum(supp) != dropped:
        bad.append("events %d + suppressed %d = %d, but %d frames were dropped"
                   % (len(evs), sum(supp), len(evs) + sum(supp), dropped))
    print("; ".join(bad) or "OK")
    print("# %d events in %.2f s, by time %s, by window %s, suppressed %d, dropped %d"
          % (len(evs), span, tgroups, wgroups, sum(supp), dropped), file=sys.stderr)


def cmd_events_expect(path, spec_path):
    """For each line "NAME<TAB>COUNT<TAB>KEY=VALUE ..." of spec_path: how
    many events of the monitor -j log path match every KEY=VALUE (the
    value as a string; "-" for a key that must be absent; "keys=a,b,..."
    for the exact set of keys).  Prints "ok|FAIL<TAB>NAME<TAB>DETAIL"."""
    try:
        evs = events(path)
    except ValueError as e:
        print("FAIL\tmonitor -j prints JSON lines\t%s" % e)
        return
    for line in open(spec_path):
        if not line.strip():
            continue
        name, count, match = line.rstrip("\n").split("\t")
        want = dict(w.split("=", 1) for w in match.split())

        def ok(e):
            for k, v in want.items():
                if k == "keys":
                    if set(e) != set(v.split(",")):
                        return False
                elif v == "-":
                    if k in e:
                        return False
                elif k not in e or str(e[k]) != v:
                    return False
            return True
        n = sum(1 for e in evs if ok(e))
        if n == int(count):
            print("ok\t%s\t%d matching" % (name, n))
        else:
            print("FAIL\t%s\texpected %s events matching %s; saw %d among: %s"
                  % (name, count, match, n, " | ".join(json.dumps(e, sort_keys=True) for e in evs[-12:])))


def cmd_prom(prom_path, stats_path, totals):
    """stats --format prometheus, parsed by prometheus_client, against
    -j stats."""
    from prometheus_client.parser import text_string_to_metric_families
    text = open(prom_path, encoding="utf-8").read()
    st = json.load(open(stats_path))
    totals = totals == "1"
    bad = []
    fams = {}
    try:
        for f in text_string_to_metric_families(text):
            if f.name in fams:
                bad.append("family %s given twice" % f.name)
            fams[f.name] = f
    except Exception as e:      # noqa: the parser's own complaint
        print("the parser refused it: %s: %s" % (type(e).__name__, e))
        return
    want_fams = {"vmfence_passed", "vmfence_dropped"}
    if totals:
        want_fams |= {"vmfence_namespace_passed", "vmfence_namespace_dropped"}
    if set(fams) != want_fams:
        bad.append("families %s, expected %s" % (sorted(fams), sorted(want_fams)))
    for name, f in fams.items():
        if f.type != "counter":
            bad.append("%s is a %s, not a counter" % (name, f.type))
        if not f.documentation:
            bad.append("%s has no HELP" % name)
    samples = {}
    for f in fams.values():
        for s in f.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in samples:
                bad.append("series given twice: %s" % (key,))
            samples[key] = s.value
    want = {}
    for p in st["ports"]:
        lab = (("label", p.get("label", "")), ("port", p["ifname"]))
        want[("vmfence_passed_total", lab)] = p["passed"]
        for r, v in p["drops"].items():
            want[("vmfence_dropped_total", tuple(sorted(lab + (("reason", r),))))] = v
    if totals:
        t = st["total"]
        want[("vmfence_namespace_passed_total", ())] = t["passed"]
        for r, v in t["drops"].items():
            want[("vmfence_namespace_dropped_total", (("reason", r),))] = v
    for k in sorted(set(want) | set(samples), key=str):
        if k not in samples:
            bad.append("missing %s = %s" % (k, want[k]))
        elif k not in want:
            bad.append("unexpected %s = %s" % (k, samples[k]))
        elif samples[k] != want[k]:
            bad.append("%s = %s, -j stats says %s" % (k, samples[k], want[k]))
    print("; ".join(bad[:10]) or "OK")
    print("# %d series compared" % len(samples), file=sys.stderr)


def parse_debugfs_ports(text):
    """{(netns, ifname): {...}} from /sys/kernel/debug/vmfence/ports."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("netns "):
            w = line.split()
            lab = line.split(' label "', 1)[1]
            assert lab.endswith('"'), line
            cur = {"ifindex": int(w[3]), "ifname": w[4], "mac": w[6], "mode": w[8],
                   "seq": int(w[10]), "flags": int(w[12], 16), "label": lab[:-1]}
            out[(int(w[1]), w[4])] = cur
        elif line.startswith("\taddrs"):
            w = line.split()[1:]
            i = w.index("ll6")
            cur["addrs"] = w[:i]
            cur["ll6"] = w[i + 1]
            cur["ethertypes"] = [w[j + 1] for j in range(i + 2, len(w), 2) if w[j] == "ethertype"]
        elif line.startswith("\tpassed"):
            w = line.split()
            cur["passed"] = int(w[1])
            cur["drops"] = {w[j]: int(w[j + 1]) for j in range(2, len(w), 2)}
        elif line.strip():
            raise ValueError("unexpected line %r" % line)
    return out


def parse_debugfs_bridges(text):
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("netns "):
            w = line.split()
            cur = {"ifindex": int(w[3]), "ifname": w[4], "unbound": w[6]}
            out[(int(w[1]), w[4])] = cur
        elif line.startswith("\tpassed"):
            w = line.split()
            cur["passed"] = int(w[1])
            cur["drops"] = {w[j]: int(w[j + 1]) for j in range(2, len(w), 2)}
        elif line.strip():
            raise ValueError("unexpected line %r" % line)
    return out


def eui64_ll(mac):
    b = bytes(int(x, 16) for x in mac.split(":"))
    iid = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + iid))


def read_snap(path):
    """ops.sh snap: {inum: (name, stats, port show, bridge show)}."""
    out, cur = {}, None
    for line in open(path):
        if line.startswith("== "):
            w = line.split()
            name, inum = (w[1], w[2]) if len(w) == 3 else ("", w[1])
            cur = [name]
            out[int(inum)] = cur
        elif line.strip():
            cur.append(json.loads(line))
    return out


def cmd_counters_check(snap_path, sysfs_path, ports_path, bridges_path):
    """sysfs, read from inside each namespace (lines "== INUM", then the
    namespace's "grep -r . /sys/kernel/vmfence"), and the debugfs tables
    against the snapshot of every namespace.  Prints record lines."""
    snap = read_snap(snap_path)
    res = []

    def rec(name, bad):
        res.append(("FAIL" if bad else "ok", name, "; ".join(bad) if bad else ""))
    sysfs, cur = {}, None
    for line in open(sysfs_path):
        line = line.rstrip("\n")
        if line.startswith("== "):
            cur = sysfs.setdefault(int(line.split()[1]), {})
            continue
        k, _, v = line.partition(":")
        cur[k.replace("/sys/kernel/vmfence/", "")] = v
    reasons = list(next(iter(snap.values()))[1]["total"]["drops"])
    bad_p, bad_d, bad_r, bad_f = [], [], [], []
    for inum, v in snap.items():
        name, tot = v[0] or "(root)", v[1]["total"]
        mine = sysfs.get(inum)
        if mine is None:
            bad_p.append("%s: sysfs not read there" % name)
            continue
        if mine.get("passed") != str(tot["passed"]):
            bad_p.append("%s: passed %s, its totals say %d" % (name, mine.get("passed"), tot["passed"]))
        if mine.get("dropped") != str(tot["dropped"]):
            bad_d.append("%s: dropped %s, its totals say %d" % (name, mine.get("dropped"), tot["dropped"]))
        for r in reasons:
            if mine.get("drops/" + r) != str(tot["drops"][r]):
                bad_r.append("%s: drops/%s %s, its totals say %d" % (name, r, mine.get("drops/" + r), tot["drops"][r]))
        files = sorted(k[6:] for k in mine if k.startswith("drops/"))
        if files != sorted(reasons):
            bad_f.append("%s: files %s, reasons %s" % (name, files, sorted(reasons)))
    where = " (%d namespaces)" % len(snap)
    rec("sysfs passed, read in each namespace = that namespace's total" + where, bad_p)
    rec("sysfs dropped, read in each namespace = that namespace's total", bad_d)
    rec("sysfs drops/<reason>, read in each namespace = that namespace's totals", bad_r)
    rec("sysfs drops/: one file per reason vmfencectl knows", bad_f)
    busy = [v for v in snap.values() if v[1]["total"]["dropped"]]
    passed = sum(v[1]["total"]["passed"] for v in snap.values())
    nz = len({r for v in snap.values() for r in reasons if v[1]["total"]["drops"][r]})
    rec("sysfs: several reasons and namespaces are non-zero (%d reasons, %d namespaces with drops)"
        % (nz, len(busy)),
        [] if nz >= 3 and len(busy) >= 2 and passed else
        ["too little to compare: %d reasons, %d namespaces with drops, passed %d"
         % (nz, len(busy), passed)])

    bad = []
    dp = parse_debugfs_ports(open(ports_path).read())
    db = parse_debugfs_bridges(open(bridges_path).read())
    want_p, want_b = set(), set()
    for inum, (name, st, show, bridges) in snap.items():
        stats = {p["ifname"]: p for p in st["ports"]}
        for p in show:
            key = (inum, p["ifname"])
            want_p.add(key)
            g = dp.get(key)
            if g is None:
                bad.append("ports: no %s" % (key,))
                continue
            s = stats[p["ifname"]]
            exp = {"ifindex": p["ifindex"], "mac": p["mac"], "mode": p["mode"], "seq": p["seq"],
                   "flags": 1 if p["multicast"] == "allow" else 0, "label": p["label"],
                   "addrs": sorted(_net(a) for a in p["addrs"]), "ll6": eui64_ll(p["mac"]),
                   "ethertypes": p["ethertypes"], "passed": s["passed"],
                   "drops": {r: v for r, v in s["drops"].items() if v}}
            got = dict(g)
            got.pop("ifname")
            got["addrs"] = sorted(_net(a) for a in got.get("addrs", []))
            if got != exp:
                bad.append("ports %s: %s, expected %s" % (key, json.dumps(got, sort_keys=True),
                                                          json.dumps(exp, sort_keys=True)))
    extra = sorted(set(dp) - want_p)
    if extra:
        bad.append("unexpected ports %s" % extra)
    rec("debugfs ports: every binding of every namespace, as port show and stats say (%d)"
        % len(dp), bad)
    bad = []
    for inum, (name, st, show, bridges) in snap.items():
        for b in bridges:
            key = (inum, b["ifname"])
            want_b.add(key)
            g = db.get(key)
            exp = {"ifindex": b["ifindex"], "ifname": b["ifname"], "unbound": b["unbound"]}
            if g is None:
                bad.append("no %s" % (key,))
                continue
            got = {k: g[k] for k in exp}
            if got != exp:
                bad.append("%s: %s, expected %s" % (key, got, exp))
            if g["drops"].get("unbound", 0) != b["unbound_drops"]:
                bad.append("%s: unbound drops %s, bridge show says %s"
                           % (key, g["drops"].get("unbound", 0), b["unbound_drops"]))
    extra = sorted(set(db) - want_b)
    if extra:
        bad.append("unexpected bridges %s" % extra)
    rec("debugfs bridges: every bridge setting, as bridge show says (%d)" % len(db), bad)
    for r in res:
        print("\t".join(r))


if __name__ == "__main__":
    cmds = {"rate": cmd_rate, "prom": cmd_prom, "counters-check": cmd_counters_check,
            "events-expect": cmd_events_expect}
    cmds[sys.argv[1].replace("_", "-")](*sys.argv[2:])
