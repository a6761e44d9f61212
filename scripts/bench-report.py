#!/usr/bin/env python3
"""Print the dios benchmark table from build/bench/results.json and write
the throughput data for scripts/bench.gp.

    bench-report.py RESULTS.json OUT.dat
    bench-report.py --compare A.json B.json   ratios of two runs, 10% rule

One line per row: the dios and baseline medians with their spread
((max - min) / median over the repetitions), the ratio dios/baseline of the
medians, the target (on the ratio, or on the dios figure itself where it
reads "<= 64B") and whether it is met. Never fails on a missed target.
"""
import json
import sys


W = 32  # width of the row column


def fmt(v):
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def verdict(row):
    """A target bounds the ratio, or with op "dios<=" the dios figure."""
    op, target, value = row.get("op"), row.get("target"), row.get("ratio")
    if not op:
        return "-", "report"
    label = f"{op} {target:g}"
    if op.startswith("dios"):
        op, value = op[len("dios"):], row["dios"]["median"]
        label = f"{op} {target:g}{row['unit']}"
    met = value <= target if op == "<=" else value >= target
    return label, "met" if met else "MISSED"


def table(rows):
    head = (f"{'row':<{W}} {'dios':>9} {'±%':>5} {'baseline':>9} {'±%':>5}"
            f" {'unit':<6} {'ratio':>7} {'target':>7}  result")
    print(head)
    print("-" * len(head))
    for r in rows:
        if r["status"] != "ok":
            print(f"{r['row']:<{W}} {'not yet implemented':>25}")
            continue
        d, b = r["dios"], r["base"]
        target, result = verdict(r)
        print(f"{r['row']:<{W}} {fmt(d['median']):>9} {d['spread_pct']:>5.0f}"
              f" {fmt(b['median']):>9} {b['spread_pct']:>5.0f}"
              f" {r['unit']:<6} {r['ratio']:>7.3f} {target:>7}  {result}")
    print()
    print("baselines:")
    for r in rows:
        if r["status"] == "ok":
            print(f"  {r['row']:<{W}} dios: {r['dios']['name']};"
                  f" baseline: {r['base']['name']}")


def plot_data(rows, out):
    """size dios dios_min dios_max pipe pmin pmax vmsplice vmin vmax"""
    pts = {}
    for r in rows:
        if r["status"] != "ok" or not r.get("plot"):
            continue
        p = pts.setdefault(r["param"], {})
        if r["plot"] == 1:  # the dios figure of the row against the pipe
            p["dios"] = r["dios"]
        p["pipe" if r["plot"] == 1 else "vmsplice"] = r["base"]
    with open(out, "w") as f:
        f.write("# bytes dios min max pipe min max vmsplice min max\n")
        for size in sorted(pts):
            cols = [str(size)]
            for k in ("dios", "pipe", "vmsplice"):
                s = pts[size].get(k)
                cols += [f"{s['median']:.1f} {s['min']:.1f} {s['max']:.1f}"
                         if s else "NaN NaN NaN"]
            f.write(" ".join(cols) + "\n")


def compare(a_path, b_path):
    """Which rows' ratios agree within 10% between two runs."""
    a = {r["id"]: r for r in json.load(open(a_path))["rows"]}
    b = {r["id"]: r for r in json.load(open(b_path))["rows"]}
    print(f"{'row':<{W}} {'ratio A':>8} {'ratio B':>8} {'diff%':>6}  agree")
    for rid, ra in a.items():
        rb = b.get(rid)
        if ra["status"] != "ok" or not rb or rb["status"] != "ok":
            continue
        x, y = ra["ratio"], rb["ratio"]
        diff = 100 * abs(x - y) / max(abs(x), abs(y), 1e-9)
        print(f"{ra['row']:<{W}} {x:>8.3f} {y:>8.3f} {diff:>6.1f}"
              f"  {'yes' if diff <= 10 else 'NO'}")


def main():
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
        return
    res = json.load(open(sys.argv[1]))
    print(f"dios benchmark: kernel {res['kernel']}, module {res['module']},"
          f" {res['reps']} repetitions after a warm-up, medians;"
          f" ±% = (max - min) / median")
    table(res["rows"])
    plot_data(res["rows"], sys.argv[2])


if __name__ == "__main__":
    main()
