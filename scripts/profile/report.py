#!/usr/bin/env python3
"""Name the blocks of scripts/profile.sh's windows and print, per probe,
the instructions per iteration and the functions they go to.

    report.py PLUGIN_OUT GUEST_OUTPUT [TOP [PROBE_BINARY]]

PLUGIN_OUT: the plugin's file (plugin.c); GUEST_OUTPUT: what probe.c
printed (the window names and the guest's text symbols between the
KALLSYMS markers, gzip and base64). A block counts for the function its
first instruction is in; user-space blocks are named with the symbols of
PROBE_BINARY (static, not position-independent), "(user)" without it.
"""
import base64
import bisect
import gzip
import re
import subprocess
import sys


def symbols(text):
    m = re.search(r"KALLSYMS-BEGIN\s*\n(.*?)\n\s*KALLSYMS-END", text, re.S)
    if not m:
        sys.exit("report.py: no symbols in the guest's output")
    raw = gzip.decompress(base64.b64decode("".join(m.group(1).split())))
    syms = []
    for line in raw.decode().splitlines():
        f = line.split()
        if len(f) >= 3:
            syms.append((int(f[0], 16), " ".join(f[2:])))
    syms.sort()
    return [a for a, _ in syms], [s for _, s in syms]


def user_symbols(binary):
    """The text symbols of the static probe binary, sorted by address."""
    out = subprocess.run(["nm", "--defined-only", binary], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), "(user) " + f[2]))
    syms.sort()
    return [a for a, _ in syms], [s for _, s in syms]


def main():
    prof, guest = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    text = open(guest, errors="replace").read().replace("\r", "")
    names = {int(m.group(1)): (m.group(2), int(m.group(3)), m.group(4))
             for m in re.finditer(r"^window (\d+) = (\S+) x(\d+): (.*)$",
                                  text, re.M)}
    addrs, syms = symbols(text)
    uaddrs, usyms = user_symbols(sys.argv[4]) if len(sys.argv) > 4 else ([], [])

    def name(va):
        if va < 0xffff800000000000:
            i = bisect.bisect_right(uaddrs, va) - 1
            return usyms[i] if i >= 0 else "(user)"
        i = bisect.bisect_right(addrs, va) - 1
        return syms[i] if i >= 0 else "?"

    windows, cur = {}, None
    for line in open(prof):
        f = line.split()
        if f[0] == "window":
            cur = windows.setdefault(int(f[1]), {})
            continue
        s = name(int(f[0], 16))
        cur[s] = cur.get(s, 0) + int(f[1]) * int(f[2])
    for w in sorted(windows):
        probe, n, what = names.get(w, ("?", 1, "?"))
        total = sum(windows[w].values())
        print(f"== {probe} ({what}): {total / n:.0f} instructions per "
              f"iteration, {n} iterations")
        for s, v in sorted(windows[w].items(), key=lambda x: -x[1])[:top]:
            print(f"  {v / n:9.1f}  {s}")
        print()


main()
