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
  - the exit status of `timeout qemu ...`; or, with `-- COMMAND...`, the
    command that runs the VM: the results of each test binary are printed
    as soon as it ends, while the VM runs.

Every test case of every binary gives one line named
`<kernel>/<arch>/<binary>: <case>`. A kernel splat is one more failure,
attributed to the test whose START marker precedes it in the console log (or
to the boot/insmod/rmmod/kmemleak phase). Prints only result lines on
stdout (diagnostics on stderr); exits 1 if any line is `not ok`.
"""

import argparse
import re
import subprocess
import sys
import time

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


class BinaryParser:
    """TAP of each test binary, and whether each one finished; fed one
    line of the results channel at a time, so that a running VM's results
    come out as each binary ends."""

    def __init__(self, kernel, res):
        self.kernel = kernel
        self.res = res
        self.current = None  # [name, plan, n_results, n_failed]
        self.last_run = None  # name of the case last announced by the harness

    def close(self, status):
        name, plan, n, nfail = self.current
        self.current = None
        res = self.res
        prefix = f"{self.kernel}/{name}"
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

    def feed(self, line):
        m = START_RE.match(line)
        if m and line.startswith("dios-test: START"):
            if self.current:
                self.close(None)
            self.current = [m.group(1), None, 0, 0]
            self.last_run = None
            return
        current = self.current
        if current is None:
            return
        m = END_RE.match(line)
        if m:
            self.close(int(m.group(2)))
            return
        m = RUN_RE.match(line)
        if m:
            self.last_run = m.group(1)
            return
        m = PLAN_RE.match(line)
        if m and current[1] is None:
            current[1] = int(m.group(1))
            return
        m = TAP_RE.match(line)
        if m:
            ok = m.group(1) == "ok"
            desc = (m.group(2) or "").strip()
            directive = ""
            if desc.startswith("#"):
                # "ok 3 # SKIP reason": 6.1's harness prints no case name;
                # take it from the "#  RUN" line.
                directive = desc[1:].strip()
                desc = self.last_run or f"case {current[2] + 1}"
            elif " # " in desc:
                desc, directive = (s.strip() for s in desc.split(" # ", 1))
            current[2] += 1
            if not ok:
                current[3] += 1
            self.res.add(ok, f"{self.kernel}/{current[0]}: {desc}", directive)

    def finish(self):
        if self.current:
            self.close(None)


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


class RunParser:
    """The results channel of a test run, line by line: the insmod and
    rmmod status lines and the test binaries' TAP."""

    def __init__(self, kernel, res):
        self.kernel = kernel
        self.res = res
        self.bins = BinaryParser(kernel, res)
        self.status = {}
        self.out = []

    def report(self, what, st, never=""):
        label = {"insmod": "insmod dios.ko", "rmmod": "rmmod dios"}[what]
        self.res.add(st == 0, f"{self.kernel}: {label}" +
                     ("" if st == 0 else f" (status {st})" if st is not None
                      else f" ({never})"))

    def feed(self, line):
        self.out.append(line)
        for what in ("insmod", "rmmod"):
            if line.startswith(f"dios-result: {what} ") and \
               what not in self.status:
                st = int(line.split()[2])
                self.status[what] = st
                self.report(what, st)
                return
        self.bins.feed(line)

    def finish(self):
        self.bins.finish()
        if "insmod" not in self.status:
            self.report("insmod", None, "never reached: boot failed?")
        if "rmmod" not in self.status:
            self.report("rmmod", None, "never reached")


def clean(data):
    return data.decode("utf-8", "replace").replace("\r", "").replace("\0", "")


def follow(path, proc, sink):
    """Feed the complete lines of path to sink as they come, until proc
    ends; then the rest."""
    pos = 0
    buf = b""
    while True:
        done = proc.poll() is not None
        try:
            with open(path, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        pos += len(data)
        buf += data
        *lines, buf = buf.split(b"\n")
        for line in lines:
            sink(clean(line))
        if done:
            break
        time.sleep(0.5)
    if buf:
        sink(clean(buf))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--status", type=int,
                    help="exit status of timeout+qemu (124: timed out)")
    ap.add_argument("--timeout", default="?")
    ap.add_argument("--splats-only", action="store_true",
                    help="only report kernel splats from the console log")
    ap.add_argument("run", nargs="*",
                    help="-- COMMAND...: run the VM, print results as they "
                    "come; its exit status is --status")
    args = ap.parse_args()
    k = args.kernel
    res = Results()
    if args.splats_only:
        scan_console(k, read_lines(args.console), res)
        return 1 if res.failed else 0
    run = RunParser(k, res)
    if args.run:
        start = time.monotonic()
        proc = subprocess.Popen(args.run, stdin=subprocess.DEVNULL)
        try:
            follow(args.results, proc, run.feed)
        except KeyboardInterrupt:
            proc.terminate()
            raise
        status = proc.returncode
        print(f"parse-results: {k}: VM finished in "
              f"{time.monotonic() - start:.0f}s (status {status})",
              file=sys.stderr)
    elif args.status is None:
        ap.error("--status or a command to run is needed")
    else:
        status = args.status
        for line in read_lines(args.results):
            run.feed(line)
    run.finish()
    out = run.out
    console = read_lines(args.console)

    n_before = len(res.lines)
    scan_console(k, console, res)
    leaks = any("unreferenced object" in l for l in res.lines[n_before:])
    if "dios-result: kmemleak" in out and not leaks:
        res.add(True, f"{k}: kmemleak found no leaks")

    if status == 124:
        res.add(False, f"{k}: run completed (timed out after {args.timeout} s)")
    else:
        done = "dios-result: SUCCESS" in out and status == 0
        res.add(done, f"{k}: run completed" +
                ("" if done else f" (no success marker, qemu status {status})"))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
