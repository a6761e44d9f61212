#!/usr/bin/env python3
"""Turn one test VM run into result lines: `ok NAME` / `not ok NAME`.

Inputs (written by scripts/vm.sh and scripts/guest-init.sh):
  - the results channel (guest /dev/ttyS1): per test binary a block
        dios-test: START 64/version_test
        <the binary's TAP output>
        dios-test: END 64/version_test <exit status>
    plus `dios-result: insmod|rmmod <status>`, `dios-result: kmemleak` (the
    scan ran) and the final `dios-result: SUCCESS`;
  - the console log (guest ttyS0), with the same START markers written to
    /dev/kmsg, scanned for kernel splats;
  - the exit status of `timeout qemu ...`.

Every test case of every binary gives one line named
`<kernel>/<arch>/<binary>: <case>`. A kernel splat is one more failure,
attributed to the test whose START marker precedes it in the console log (or
to the boot/insmod/rmmod/kmemleak phase). Prints only result lines on
stdout (diagnostics on stderr); exits 1 if any line is `not ok`.
"""

import argparse
import re
import sys

TAP_RE = re.compile(r"^(not ok|ok) \d+(?: (.*))?$")
START_RE = re.compile(r"dios-test: START (\S+)")
END_RE = re.compile(r"^dios-test: END (\S+) (-?\d+)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)")
# The harness announces each case: "#  RUN           fixture.case ..."
RUN_RE = re.compile(r"^#\s+RUN\s+(\S+) \.\.\.")

# Kernel reports that fail a run. Case-sensitive on purpose: boot messages
# such as "kasan: KernelAddressSanitizer initialized" are harmless.
SPLAT_RE = re.compile(
    r"BUG:|WARNING:|Oops|general protection fault|kernel BUG at|"
    r"KASAN|UBSAN|"
    r"possible circular locking|inconsistent lock state|"
    r"possible recursive locking|INFO: trying to register non-static key|"
    r"suspicious RCU usage|turning off the locking correctness validator|"
    r"unreferenced object|"
    r"sleeping function called from invalid context|"
    r"Kernel panic|"
    r"detected stall|rcu: INFO|blocked for more than"
)
TIMESTAMP_RE = re.compile(r"^\[\s*\d+\.\d+\]\s?")


def read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    text = data.decode("utf-8", "replace").replace("\r", "").replace("\0", "")
    return text.split("\n")


class Results:
    def __init__(self):
        self.lines = []

    def add(self, ok, name, directive=""):
        line = ("ok " if ok else "not ok ") + name
        if directive:
            line += " # " + directive
        self.lines.append(line)
        print(line, flush=True)

    @property
    def failed(self):
        return any(line.startswith("not ok") for line in self.lines)


def parse_binaries(kernel, lines, res):
    """TAP of each test binary, and whether each one finished."""
    current = None  # [name, plan, n_results, n_failed]
    last_run = None  # name of the case last announced by the harness

    def close(status):
        name, plan, n, nfail = current
        prefix = f"{kernel}/{name}"
        if status is None:
            res.add(False, f"{prefix}: did not finish (crash, hang or timeout)")
            return
        if n == 0 and not plan:
            # Not a TAP-printing binary (or a "1..0" plan): its exit status
            # is the result.
            if status == 0:
                res.add(True, prefix)
            elif status == 4:  # KSFT_SKIP
                res.add(True, prefix, "SKIP")
            else:
                res.add(False, f"{prefix}: exit status {status}")
            return
        if plan is not None and n < plan:
            res.add(False, f"{prefix}: only {n} of {plan} results")
        if status not in (0, 4) and nfail == 0:
            res.add(False, f"{prefix}: exit status {status}")

    for line in lines:
        m = START_RE.match(line)
        if m and line.startswith("dios-test: START"):
            if current:
                close(None)
            current = [m.group(1), None, 0, 0]
            last_run = None
            continue
        if current is None:
            continue
        m = END_RE.match(line)
        if m:
            close(int(m.group(2)))
            current = None
            continue
        m = RUN_RE.match(line)
        if m:
            last_run = m.group(1)
            continue
        m = PLAN_RE.match(line)
        if m and current[1] is None:
            current[1] = int(m.group(1))
            continue
        m = TAP_RE.match(line)
        if m:
            ok = m.group(1) == "ok"
            desc = (m.group(2) or "").strip()
            directive = ""
            if desc.startswith("#"):
                # "ok 3 # SKIP reason": 6.1's harness prints no case name;
                # take it from the "#  RUN" line.
                directive = desc[1:].strip()
                desc = last_run or f"case {current[2] + 1}"
            elif " # " in desc:
                desc, directive = (s.strip() for s in desc.split(" # ", 1))
            current[2] += 1
            if not ok:
                current[3] += 1
            res.add(ok, f"{kernel}/{current[0]}: {desc}", directive)
    if current:
        close(None)


def kmemleak_block(lines, i):
    """The lines of the kmemleak report starting at lines[i]."""
    j = i + 1
    while j < len(lines) and lines[j].startswith(" "):
        j += 1
    return lines[i:j]


def boot_time_leak(block):
    """A kmemleak report of an object allocated under start_kernel: the
    kernel's own early-boot allocations (ACPI's caches, for one), made
    before any module could be loaded, so never ours."""
    return any("start_kernel" in line for line in block)


def scan_console(kernel, lines, res):
    """One failure per kernel report line, attributed to the current phase."""
    phase = "boot"
    for i, raw in enumerate(lines):
        line = TIMESTAMP_RE.sub("", raw)
        m = START_RE.search(line)
        if m:
            phase = m.group(1)
            continue
        if not SPLAT_RE.search(line):
            continue
        if "unreferenced object" in line and \
           boot_time_leak(kmemleak_block(lines, i)):
            print(f"parse-results: ignored a boot-time kmemleak report: "
                  f"{line.strip()}", file=sys.stderr)
            continue
        res.add(False, f"{kernel}/{phase}: kernel: {line.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--status", type=int, required=True,
                    help="exit status of timeout+qemu (124: timed out)")
    ap.add_argument("--timeout", default="?")
    ap.add_argument("--splats-only", action="store_true",
                    help="only report kernel splats from the console log")
    args = ap.parse_args()
    k = args.kernel
    res = Results()
    if args.splats_only:
        scan_console(k, read_lines(args.console), res)
        return 1 if res.failed else 0
    out = read_lines(args.results)
    console = read_lines(args.console)

    def status_of(what):
        for line in out:
            if line.startswith(f"dios-result: {what} "):
                return int(line.split()[2])
        return None

    st = status_of("insmod")
    res.add(st == 0, f"{k}: insmod dios.ko" +
            ("" if st == 0 else f" (status {st})" if st is not None
             else " (never reached: boot failed?)"))
    parse_binaries(k, out, res)
    st = status_of("rmmod")
    res.add(st == 0, f"{k}: rmmod dios" +
            ("" if st == 0 else f" (status {st})" if st is not None
             else " (never reached)"))

    n_before = len(res.lines)
    scan_console(k, console, res)
    leaks = any("unreferenced object" in l for l in res.lines[n_before:])
    if "dios-result: kmemleak" in out and not leaks:
        res.add(True, f"{k}: kmemleak found no leaks")

    if args.status == 124:
        res.add(False, f"{k}: run completed (timed out after {args.timeout} s)")
    else:
        done = "dios-result: SUCCESS" in out and args.status == 0
        res.add(done, f"{k}: run completed" +
                ("" if done else f" (no success marker, qemu status {args.status})"))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
