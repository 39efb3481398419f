#!/usr/bin/env python3
"""Judges a scripts/soak run from its work folder.

    scripts/soak_report.py WORK_DIR START_UNIX_S WARMUP_S INTERVAL_S

Reads samples.csv (t_s, rss_kib, fds, outbox_pending, articles, alerts),
produced.tsv (article id, produced-at ms, for the rule-firing articles) and
arrivals.tsv (the receiver's webhook-id, article id, arrival ms). Writes
latency.csv (end-to-end p50/p99 per window of arrival time) and, when
matplotlib is importable, soak.png; prints key=value figures and a verdict
per criterion. Exit 0 when every criterion passes, 1 otherwise.
"""

import csv
import os
import sys


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def main():
    work, start, warmup, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    rows = [
        {k: float(v) for k, v in r.items()}
        for r in csv.DictReader(open(os.path.join(work, "samples.csv")))
    ]
    produced = {}
    for line in open(os.path.join(work, "produced.tsv")):
        aid, at = line.rstrip("\n").split("\t")
        produced[aid] = int(at)
    arrivals = []
    ids = set()
    for line in open(os.path.join(work, "arrivals.tsv")):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[1] in produced:
            arrivals.append((int(parts[2]), int(parts[2]) - produced[parts[1]]))
            ids.add(parts[0])
    window_ms = int(interval * 1000)
    windows = {}
    for arrival, latency in arrivals:
        w = (arrival - start * 1000) // window_ms
        windows.setdefault(w, []).append(latency)
    with open(os.path.join(work, "latency.csv"), "w") as f:
        f.write("t_s,alerts,p50_ms,p99_ms\n")
        for w in sorted(windows):
            v = windows[w]
            f.write(f"{w * interval:.0f},{len(v)},{pct(v, 50)},{pct(v, 99)}\n")

    after = [r for r in rows if r["t_s"] >= warmup]
    if len(after) < 2:
        print("error: too few samples after warm-up")
        return 1
    rss0, rss1 = after[0]["rss_kib"], after[-1]["rss_kib"]
    rss_peak = max(r["rss_kib"] for r in rows)
    fds0, fds1 = after[0]["fds"], after[-1]["fds"]
    pending_end = rows[-1]["outbox_pending"]
    lat_windows = [w for w in sorted(windows) if w * interval >= warmup]
    third = max(1, len(lat_windows) // 3)
    first = [x for w in lat_windows[:third] for x in windows[w]]
    last = [x for w in lat_windows[-third:] for x in windows[w]]
    p99_first, p99_last = pct(first, 99), pct(last, 99)
    all_lat = [lat for _, lat in arrivals]

    out = []
    def kv(k, v):
        out.append(f"{k}={v}")
    kv("samples", len(rows))
    kv("articles_counted", int(rows[-1]["articles"]))
    kv("rule_firing_articles_produced", len(produced))
    kv("alerts_received", len(arrivals))
    kv("distinct_webhook_ids", len(ids))
    kv("rss_after_warmup_mib", round(rss0 / 1024, 1))
    kv("rss_end_mib", round(rss1 / 1024, 1))
    kv("rss_peak_mib", round(rss_peak / 1024, 1))
    kv("rss_growth_pct", round((rss1 - rss0) / rss0 * 100, 1))
    kv("fds_after_warmup", int(fds0))
    kv("fds_end", int(fds1))
    kv("outbox_pending_end", int(pending_end))
    kv("latency_p50_ms", pct(all_lat, 50))
    kv("latency_p99_ms", pct(all_lat, 99))
    kv("latency_p99_first_third_ms", p99_first)
    kv("latency_p99_last_third_ms", p99_last)
    checks = [
        ("rss grows < 10% after warm-up", rss1 < rss0 * 1.10),
        ("no descriptor leak (end <= after warm-up + 8)", fds1 <= fds0 + 8),
        ("outbox drained", pending_end == 0),
        ("p99 steady (last third <= 2x first third, or < 1 s)", p99_last <= max(2 * p99_first, 1000)),
        ("one alert per webhook id", len(ids) == len(arrivals)),
    ]
    for name, ok in checks:
        out.append(f"{'PASS' if ok else 'FAIL'}  {name}")
    print("\n".join(out))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no matplotlib: soak.png not drawn; pip install matplotlib to get it)")
    else:
        t = [r["t_s"] for r in rows]
        fig, ax = plt.subplots(4, 1, figsize=(8, 10), sharex=True)
        ax[0].plot(t, [r["rss_kib"] / 1024 for r in rows]); ax[0].set_ylabel("RSS MiB")
        ax[1].plot(t, [r["fds"] for r in rows]); ax[1].set_ylabel("open fds")
        ax[2].plot(t, [r["outbox_pending"] for r in rows]); ax[2].set_ylabel("outbox pending")
        lw = sorted(windows)
        ax[3].plot([w * interval for w in lw], [pct(windows[w], 50) for w in lw], label="p50")
        ax[3].plot([w * interval for w in lw], [pct(windows[w], 99) for w in lw], label="p99")
        ax[3].set_ylabel("end-to-end ms"); ax[3].set_xlabel("seconds"); ax[3].legend()
        for a in ax:
            a.axvline(warmup, color="grey", linestyle=":")
        fig.suptitle("wirewatch soak")
        fig.tight_layout()
        fig.savefig(os.path.join(work, "soak.png"), dpi=80)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
