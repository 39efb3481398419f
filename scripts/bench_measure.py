#!/usr/bin/env python3
"""Measurements for scripts/bench (standard library only).

Every command prints `key=value` lines on stdout, for the bench to collect.

  ready URL TIMEOUT
      waits until URL answers 200 (the daemon's /readyz).
  articles METRICS_URL N TIMEOUT DAEMON_PID TANSU_PID
      polls /metrics until wirewatch_articles_total (all outcomes) reaches N;
      the rate is taken from the first poll that saw an article to the one
      that saw the N-th, and the CPU used by the daemon and the broker over
      the same window (percent of one core).
  drain METRICS_URL TIMEOUT [DAEMON_PID]
      waits until every alert raised has a final delivery outcome
      (wirewatch_deliveries_total delivered + dead >= wirewatch_alerts_total).
  stats RECEIVER_URL PREFIX
      the receiver's count, unique webhook ids, first and last arrival for
      articles whose id starts with PREFIX.
  latency RECEIVER_URL PRODUCED_TSV
      joins the receiver's arrivals with the produce log: p50/p90/p99/max of
      produce-to-webhook time over every alert of a logged article.
  count METRICS_URL N TIMEOUT [DAEMON_PID]
      waits until wirewatch_articles_total reaches N; prints how long it took.
  snapshot METRICS_URL FILE
      saves /metrics to FILE; prints the mean match time and the daemon's
      own end-to-end histogram (upper bucket bounds of p50 and p99).
  ticks PID
      user + system CPU ticks of PID (SC_CLK_TCK per second).
  memory PID
      VmHWM and VmRSS of PID in KiB.
  fsync DIR
      p50/p99 of a 4 KiB write + fdatasync in DIR (200 rounds): what one
      durable outbox commit costs on this disk right now.
  report RESULTS_FILE
      the summary table, against the targets.
"""
import json
import os
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def out(k, v):
    print(f"{k}={v}", flush=True)


def get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def metrics(url):
    """Sums of the series we need from the Prometheus text."""
    _, text = get(url)
    s = {"articles": 0.0, "alerts": 0.0, "delivered": 0.0, "dead": 0.0,
         "retried": 0.0, "pending": 0.0, "malformed": 0.0}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        v = float(value)
        if name.startswith("wirewatch_articles_total"):
            s["articles"] += v
            if 'outcome="malformed"' in name:
                s["malformed"] += v
        elif name.startswith("wirewatch_alerts_total"):
            s["alerts"] += v
        elif name.startswith("wirewatch_deliveries_total"):
            for o in ("delivered", "dead", "retried"):
                if f'outcome="{o}"' in name:
                    s[o] += v
        elif name.startswith("wirewatch_outbox_pending"):
            s["pending"] = v
    return s


def gone(pid):
    """Whether process `pid` has exited (never, for no pid)."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def died(pid, what):
    print(f"error: the daemon (pid {pid}) exited while waiting for {what}", file=sys.stderr)
    return 1


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def cmd_ready(url, timeout):
    deadline = time.time() + float(timeout)
    start = time.time()
    while time.time() < deadline:
        try:
            if get(url, 2.0)[0] == 200:
                out("ready_seconds", f"{time.time() - start:.1f}")
                return 0
        except Exception:
            pass
        time.sleep(0.2)
    print(f"error: {url} not ready after {timeout} s", file=sys.stderr)
    return 1


def cmd_articles(url, n, timeout, daemon_pid, tansu_pid):
    n = int(n)
    deadline = time.time() + float(timeout)
    first = last = None
    m = {"articles": 0.0, "malformed": 0.0, "alerts": 0.0}
    while time.time() < deadline:
        if gone(daemon_pid):
            return died(daemon_pid, f"{n} articles")
        t = time.time()
        try:
            m = metrics(url)
        except Exception:
            time.sleep(0.2)
            continue
        c = m["articles"]
        if c > 0 and first is None:
            first = (t, c, cpu_ticks(daemon_pid), cpu_ticks(tansu_pid))
        if c >= n:
            last = (t, c, cpu_ticks(daemon_pid), cpu_ticks(tansu_pid))
            break
        time.sleep(0.25)
    if last is None:
        seen = m["articles"]
        print(f"error: only {seen:.0f} of {n} articles counted after {timeout} s",
              file=sys.stderr)
        out("articles_counted", f"{seen:.0f}")
        return 1
    secs = last[0] - first[0]
    rate = (last[1] - first[1]) / secs if secs > 0 else float("nan")
    out("articles_counted", f"{last[1]:.0f}")
    out("articles_first_ms", int(first[0] * 1000))
    out("articles_last_ms", int(last[0] * 1000))
    out("articles_seconds", f"{secs:.2f}")
    out("articles_per_s", f"{rate:.0f}")
    out("malformed", f"{m['malformed']:.0f}")
    out("alerts_raised", f"{m['alerts']:.0f}")
    if secs > 0:
        out("cpu_pct", f"{100 * (last[2] - first[2]) / TICK / secs:.0f}")
        out("tansu_cpu_pct", f"{100 * (last[3] - first[3]) / TICK / secs:.0f}")
    return 0


def cmd_drain(url, timeout, pid=None):
    deadline = time.time() + float(timeout)
    start = time.time()
    m = {}
    while time.time() < deadline:
        if gone(pid):
            return died(pid, "deliveries")
        try:
            m = metrics(url)
        except Exception:
            time.sleep(0.2)
            continue
        if m["delivered"] + m["dead"] >= m["alerts"]:
            out("drain_seconds", f"{time.time() - start:.1f}")
            out("alerts_raised", f"{m['alerts']:.0f}")
            out("delivered", f"{m['delivered']:.0f}")
            out("dead", f"{m['dead']:.0f}")
            out("retried", f"{m['retried']:.0f}")
            return 0
        time.sleep(0.5)
    print(f"error: deliveries not finished after {timeout} s: {m}", file=sys.stderr)
    out("delivered", f"{m.get('delivered', 0):.0f}")
    return 1


def cmd_stats(url, prefix):
    _, text = get(f"{url}/_stats?prefix={prefix}")
    s = json.loads(text)
    for k in ("count", "unique", "first_ms", "last_ms", "bad_signatures"):
        out(k, s[k])
    secs = (s["last_ms"] - s["first_ms"]) / 1000
    out("seconds", f"{secs:.2f}")
    out("per_s", f"{s['count'] / secs:.0f}" if secs > 0 else "nan")
    return 0


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def cmd_latency(url, produced_tsv):
    produced = {}
    with open(produced_tsv) as f:
        for line in f:
            aid, at = line.rstrip("\n").split("\t")
            produced[aid] = int(at)
    _, text = get(f"{url}/_dump?prefix=live-", timeout=30)
    lat, seen = [], set()
    for line in text.splitlines():
        _, aid, arrival = line.split("\t")
        if aid in produced:
            lat.append(int(arrival) - produced[aid])
            seen.add(aid)
    lat.sort()
    out("articles", len(produced))
    out("articles_alerted", len(seen))
    out("alerts", len(lat))
    for p in (50, 90, 99):
        out(f"p{p}_ms", percentile(lat, p))
    out("max_ms", lat[-1] if lat else "nan")
    return 0


def cmd_count(url, n, timeout, pid=None):
    deadline = time.time() + float(timeout)
    start = time.time()
    c = 0.0
    while time.time() < deadline:
        if gone(pid):
            return died(pid, f"{n} articles")
        try:
            c = metrics(url)["articles"]
        except Exception:
            pass
        if c >= int(n):
            out("catch_up_seconds", f"{time.time() - start:.1f}")
            return 0
        time.sleep(0.5)
    print(f"error: only {c:.0f} of {n} articles counted after {timeout} s", file=sys.stderr)
    out("catch_up_seconds", "timeout")
    out("articles_counted", f"{c:.0f}")
    return 1


def histogram(text, name):
    """(sum, count, [(le, cumulative)]) of a Prometheus histogram."""
    total = count = 0.0
    buckets = []
    for line in text.splitlines():
        if line.startswith(name + "_sum"):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_count"):
            count = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float(le), float(line.rsplit(" ", 1)[1])))
    return total, count, buckets


def bucket_quantile(buckets, count, q):
    for le, c in buckets:
        if c >= q * count:
            return le
    return float("inf")


def cmd_snapshot(url, path):
    _, text = get(url, timeout=30)
    with open(path, "w") as f:
        f.write(text)
    total, count, _ = histogram(text, "wirewatch_match_seconds")
    out("match_count", f"{count:.0f}")
    out("match_mean_us", f"{1e6 * total / count:.0f}" if count else "nan")
    total, count, buckets = histogram(text, "wirewatch_end_to_end_seconds")
    out("e2e_count", f"{count:.0f}")
    out("e2e_mean_ms", f"{1e3 * total / count:.0f}" if count else "nan")
    out("e2e_p50_le_ms", f"{1e3 * bucket_quantile(buckets, count, 0.5):.0f}")
    out("e2e_p99_le_ms", f"{1e3 * bucket_quantile(buckets, count, 0.99):.0f}")
    return 0


def cmd_ticks(pid):
    print(cpu_ticks(pid))
    return 0


def cmd_fsync(folder):
    path = os.path.join(folder, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    times = []
    try:
        for i in range(200):
            os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
            t = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    times.sort()
    out("p50_ms", f"{1e3 * percentile(times, 50):.2f}")
    out("p99_ms", f"{1e3 * percentile(times, 99):.2f}")
    return 0


def cmd_memory(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                k, v = line.split(":", 1)
                out(k.lower(), v.strip().split()[0])
    return 0


def cmd_report(path):
    r = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                r[k] = v

    def num(k):
        try:
            return float(r[k])
        except (KeyError, ValueError):
            return float("nan")

    def verdict(ok):
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    raw = num("raw_msgs_per_s")
    ours = num("daemon_articles_per_s")
    ratio = ours / raw if raw > 0 else float("nan")
    p99 = num("latency_p99_ms")
    hwm_mb = num("daemon_vmhwm") / 1024
    rate = r.get("rate", "?")
    rows = [
        ("articles", f"{r.get('n', '?')} x {r.get('bulk_avg_bytes', '?')} B, "
                     f"{r.get('partitions', '?')} partitions; {r.get('rules', '?')} rules, "
                     f"{r.get('names', '?')} names", "", ""),
        ("raw consumption (raw_consume)",
         f"{raw:,.0f} msgs/s, {num('raw_mb_per_s'):.1f} MB/s (tansu CPU {num('raw_tansu_cpu_pct'):.0f}%)",
         "", ""),
        ("wirewatch topic -> outbox",
         f"{ours:,.0f} articles/s ({num('daemon_articles_seconds'):.1f} s; "
         f"daemon CPU {num('daemon_cpu_pct'):.0f}%, tansu CPU {num('daemon_tansu_cpu_pct'):.0f}%)",
         ">= 90% of raw", ""),
        ("  ratio wirewatch / raw", f"{100 * ratio:.1f}%", ">= 90%",
         verdict(None if ratio != ratio else ratio >= 0.9)),
        ("  matching alone (match_seconds mean)",
         f"{num('final_match_mean_us'):,.0f} us/article", "", ""),
        ("alerts delivered (bulk)",
         f"{num('bulk_alerts'):,.0f} alerts, {num('bulk_alerts_per_s'):,.0f}/s "
         f"({num('bulk_alerts_seconds'):.1f} s)", "", ""),
        (f"latency at {rate} matching articles/s",
         f"p50 {num('latency_p50_ms'):,.0f} ms, p90 {num('latency_p90_ms'):,.0f} ms, "
         f"p99 {p99:,.0f} ms, max {num('latency_max_ms'):,.0f} ms "
         f"({r.get('latency_alerts', '?')} alerts / {r.get('latency_articles', '?')} articles)",
         "p99 < 100 ms", verdict(None if p99 != p99 else p99 < 100)),
        ("  alerts delivered (latency phase)",
         f"{num('live_alerts_count'):,.0f} alerts, {num('live_alerts_per_s'):,.0f}/s "
         f"({num('live_alerts_seconds'):.1f} s)", "", ""),
        ("  backlog left when production stopped",
         f"{r.get('live_catch_up_seconds', '?')} s to catch up "
         f"(daemon CPU {num('live_cpu_pct'):.0f}%, tansu CPU {num('live_tansu_cpu_pct'):.0f}%)",
         "", ""),
        ("  broker floor (produce -> raw consume)",
         f"p50 {num('floor_latency_p50_ms'):.0f} ms, p99 {num('floor_latency_p99_ms'):.0f} ms",
         "", ""),
        ("peak RSS (VmHWM)",
         f"{hwm_mb:.1f} MiB (when ready: {num('ready_vmhwm') / 1024:.0f} MiB)",
         "< 300 MiB", verdict(None if hwm_mb != hwm_mb else hwm_mb < 300)),
        ("build", f"{r.get('build_head', '?')} ({r.get('build_dirty_files', '?')} uncommitted "
                  f"src files at build); KAFKA_PROPS {r.get('kafka_props', '?')}", "", ""),
        ("machine", f"{r.get('machine_nproc', '?')} CPUs ({r.get('machine_cpu', '?')}), "
                    f"{num('machine_mem_mb') / 1024:.0f} GB; load avg {r.get('load_avg_start', '?')}; "
                    f"store on {r.get('store_fs', '?')} (fdatasync p50 "
                    f"{r.get('fsync_before_p50_ms', '?')}/{r.get('fsync_after_p50_ms', '?')} ms, p99 "
                    f"{r.get('fsync_before_p99_ms', '?')}/{r.get('fsync_after_p99_ms', '?')} ms before/after)",
         "", ""),
    ]
    w0 = max(len(x[0]) for x in rows)
    w1 = max(len(x[1]) for x in rows)
    w2 = max(len(x[2]) for x in rows)
    print()
    print(f"{'measure':<{w0}}  {'result':<{w1}}  {'target':<{w2}}  verdict")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * w2}  -------")
    for a, b, c, d in rows:
        print(f"{a:<{w0}}  {b:<{w1}}  {c:<{w2}}  {d}")
    print()
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    commands = {
        "ready": cmd_ready, "articles": cmd_articles, "drain": cmd_drain,
        "stats": cmd_stats, "latency": cmd_latency, "memory": cmd_memory,
        "count": cmd_count, "snapshot": cmd_snapshot, "ticks": cmd_ticks,
        "fsync": cmd_fsync,
        "report": cmd_report,
    }
    fn = commands.get(argv[1])
    if fn is None:
        print(__doc__, file=sys.stderr)
        return 64
    return fn(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
