#!/bin/bash
# The tests of `make vm CMD=... FILES=...` (scripts/vm.sh cmd), part of the
# stock step of make check:
#   check-vm.sh [KERNEL]   (default stock; after make build)
# One result line per test, `ok KERNEL/vm: ...` or `not ok ...`; the
# output of each run is kept in build/logs/vm-cmd-*.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernel=${1:-stock}
mkdir -p "$DIOS_LOGS"
work=$(mktemp -d "${TMPDIR:-/tmp}/dios-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
console=$DIOS_LOGS/$kernel-cmd-console.log
status=0

# run NAME FUNCTION DESC: one result line; the function's output goes to a log.
run() { test_run "$DIOS_LOGS/vm-cmd-$1.log" "$kernel/vm: $3" "$2" || status=1; }
fail() { test_fail "$@"; }

# vm KERNEL with DIOS_VM_CMD/FILES set: stdout, stderr apart; its status.
vm() {
	local st=0
	"$DIOS_ROOT/scripts/vm.sh" cmd "$kernel" > "$work/out" 2> "$work/err" || st=$?
	echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"
	return "$st"
}

# Through make, as the README says: CMD reaches the guest's shell
# unexpanded ($ and quotes), the output is the command's only, the kernel
# log is in the console log, and make fails with the command's status said.
t_status() {
	local st=0
	make -C "$DIOS_ROOT" --no-print-directory vm KERNEL="$kernel" \
		CMD='x=$((6 * 7)); echo "out $x"; echo err >&2; exit 7' \
		> "$work/out" 2> "$work/err" || st=$?
	cat "$work/out" "$work/err"
	[[ $st -ne 0 ]] || fail "make vm succeeded although the command exited 7"
	grep -qx 'out 42' "$work/out" || fail "no 'out 42' in the output"
	grep -qx 'err' "$work/out" || fail "the command's stderr is not in the output"
	! grep -Eq 'Linux version|dios-result|dios-test|insmod' "$work/out" ||
		fail "kernel log or guest status lines in the command's output"
	grep -q 'the command exited with status 7' "$work/err" ||
		fail "the status is not said"
	grep -q 'dios-result: cmd 7' "$console" || fail "no status in the kernel log"
	grep -q 'Linux version' "$console" || fail "no kernel log in $console"
}

# A static program of one's own (libdios, the module loaded) and a data
# file, in /files; the exact status from scripts/vm.sh.
t_files() {
	cat > "$work/hello.c" <<-'EOF'
	#include <stdio.h>
	#include <dios.h>

	int main(void)
	{
		struct dios_version_req v = { 0 };
		int ret = dios_version(&v);

		printf("hello: dios_version %d, abi %u.%u\n", ret,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor);
		return ret ? 1 : 3;
	}
	EOF
	gcc -static -I"$DIOS_ROOT/userlib" -I"$DIOS_ROOT/uapi" -o "$work/hello" \
		"$work/hello.c" "$DIOS_BUILD/lib64/libdios.a" -lpthread
	echo "some data" > "$work/data.txt"
	local st=0
	DIOS_VM_CMD='./hello && exit 9; st=$?; cat data.txt; exit $st' \
		DIOS_VM_FILES="$work/hello $work/data.txt" vm || st=$?
	[[ $st -eq 3 ]] || fail "status $st, not the program's 3"
	grep -q '^hello: dios_version 0, abi ' "$work/out" ||
		fail "the program did not reach the module"
	grep -qx 'some data' "$work/out" || fail "data.txt is not in /files"
}

# Refused before anything boots: exit 2 and a word on why.
refused() {
	local want=$1 st=0
	shift
	: > "$console"
	env "$@" "$DIOS_ROOT/scripts/vm.sh" cmd "$kernel" > "$work/out" 2> "$work/err" || st=$?
	cat "$work/out" "$work/err"
	[[ $st -eq 2 ]] || fail "status $st, not 2"
	grep -q "$want" "$work/err" || fail "no '$want' in the message"
	[[ ! -s $console ]] || fail "a VM booted"
}
t_refused() {
	echo 'int main(void) { return 0; }' > "$work/dyn.c"
	gcc -o "$work/dyn" "$work/dyn.c"
	refused "dynamically linked; programs in the guest must be static" \
		DIOS_VM_CMD=./dyn DIOS_VM_FILES="$work/dyn"
	refused "no such file" DIOS_VM_CMD=true DIOS_VM_FILES="$work/nothing"
	refused "no command" DIOS_VM_CMD= DIOS_VM_FILES=
	mkdir -p "$work/a" "$work/b"
	touch "$work/a/same" "$work/b/same"
	refused "two files named same" DIOS_VM_CMD=true \
		DIOS_VM_FILES="$work/a/same $work/b/same"
}

# A command that does not end: 124 at DIOS_VM_TIMEOUT, as timeout(1).
t_timeout() {
	local st=0
	DIOS_VM_TIMEOUT=30 DIOS_VM_CMD='sleep 1000' DIOS_VM_FILES= vm || st=$?
	[[ $st -eq 124 ]] || fail "status $st, not 124"
	grep -q 'timed out after 30s' "$work/err" || fail "the timeout is not said"
}

run status t_status "make vm: the command's output alone, its status, the kernel log apart"
run files t_files "FILES: a static libdios program and a data file in /files, exact status"
run refused t_refused "dynamic programs, missing files, no command: refused before booting"
run timeout t_timeout "a command that does not end: status 124 at DIOS_VM_TIMEOUT"
exit $status
