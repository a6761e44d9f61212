#!/bin/bash
# The test driver behind `make check`, `make check-quick`, `make check-stock`,
# `make check-debug`, `make check-host`, `make check-dkms` and `make lint`:
#   check.sh [lint] [host] [dkms] [stock] [debug] [6.12] [7.x] [i386] [arm64]
#            [armhf]
# (host: scripts/check-host.sh, the plain M= build, DKMS, install and
# dpkg-lock tests on the host; dkms: its DKMS test alone). 6.12, 7.x, i386
# and arm64 are the guest kernels of scripts/kernels.sh, each built (or
# taken from the cache), then booted with every selftest; armhf builds the
# module only (no guest).
# Each step prints result lines (`ok NAME` / `not ok NAME`); a step that cannot
# even start (a build failure, a debug kernel that does not build) is one
# `not ok` line, never a silent skip. The last line printed is the summary
# `N passed, N failed[, N skipped]`; the exit status is non-zero on any
# failure. All result lines are kept in build/logs/check.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[[ $# -gt 0 ]] || set -- lint host stock debug 6.12 7.x i386 arm64 armhf
mkdir -p "$DIOS_LOGS"
tap=$DIOS_LOGS/check.tap
: > "$tap"
make=(make --no-print-directory -C "$DIOS_ROOT")

# Run a step; its stdout lines are results, appended to $tap. A step that
# fails without having reported a failure (a script that died) gets one.
nfail() { grep -c '^not ok ' "$tap" || true; }
step() {
	local name=$1 before status=0
	shift
	before=$(nfail)
	"$@" | tee -a "$tap" || status=$?
	if [[ $status -ne 0 && $(nfail) -eq $before ]]; then
		echo "not ok $name (aborted with status $status)" | tee -a "$tap"
	fi
	return 0
}

# Run a command quietly into a log; on failure show its tail and print one
# `not ok` line. Returns the command's status. A long one says on stderr
# that it is still running, what it is at (the log's last line) and, for
# the steps that have one ($expect), how long it usually takes.
expect=
quiet() {
	local name=$1 logf=$2 pid st=0 t0=$SECONDS next=30 last
	shift 2
	"$@" > "$logf" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		((SECONDS - t0 >= next)) || continue
		last=$(tail -n 1 "$logf" 2>/dev/null | tr -d '\r' | cut -c1-90)
		log "$name: running for $((SECONDS - t0))s${expect:+ ($expect)}; log: ${logf#"$DIOS_ROOT"/}; at: $last"
		next=$((next + 60))
	done
	wait "$pid" || st=$?
	expect=
	[[ $st -ne 0 ]] || return 0
	tail -n 25 "$logf" >&2
	echo "not ok $name (see ${logf#"$DIOS_ROOT"/})" | tee -a "$tap"
	return 1
}

# How long a guest kernel build takes cold on 2 cores (the README's table);
# cached, it is a few seconds.
cold_time() {
	case $1 in
	debug) echo "about 9 min" ;;
	6.12) echo "about 5 min" ;;
	7.x) echo "about 11 min" ;;
	i386) echo "about 6 min" ;;
	arm64) echo "about 5 min" ;;
	armhf) echo "about 7 min" ;;
	esac
}

# A kernel of scripts/kernels.sh: build it, the module against it (W=1 and
# sparse, no warning allowed) and the user space its guest runs, then boot
# it (armhf: no guest).
other_kernel() {
	local k=$1 name
	name=$("$DIOS_ROOT/scripts/kernels.sh" name "$k" 2>"$DIOS_LOGS/kernel-$k.log") ||
		name=$k
	expect="cold, with its source fetched: $(cold_time "$k")"
	quiet "$name: guest kernel build" "$DIOS_LOGS/kernel-$k.log" \
		"$DIOS_ROOT/scripts/kernels.sh" build "$k" || return 0
	quiet "$name: build" "$DIOS_LOGS/build-$k.log" "${make[@]}" "build-$k" ||
		return 0
	if grep -E 'warning:|error:|is not available or not up to date' \
		"$DIOS_LOGS/build-$k.log" >&2; then
		echo "not ok $name: module build (W=1, sparse) has warnings" | tee -a "$tap"
	else
		echo "ok $name: module build (W=1, sparse)" | tee -a "$tap"
	fi
	[[ $k == armhf ]] || step "$name" "$DIOS_ROOT/scripts/vm.sh" test "$k"
}

for s in "$@"; do
	start=$SECONDS
	case $s in
	lint)
		step lint "$DIOS_ROOT/scripts/lint.sh"
		;;
	host)
		step host "$DIOS_ROOT/scripts/check-host.sh"
		;;
	dkms)
		step dkms "$DIOS_ROOT/scripts/check-host.sh" dkms
		;;
	stock)
		if quiet "stock: build" "$DIOS_LOGS/build-stock.log" "${make[@]}" build; then
			step stock "$DIOS_ROOT/scripts/vm.sh" test stock
			step "stock/vm" "$DIOS_ROOT/scripts/check-vm.sh" stock
		fi
		;;
	debug)
		expect="cold: $(cold_time debug)"
		quiet "debug: guest kernel build" "$DIOS_LOGS/debug-kernel.log" \
			"$DIOS_ROOT/scripts/debug-kernel.sh" &&
			quiet "debug: build" "$DIOS_LOGS/build-debug.log" \
				"${make[@]}" build module-debug &&
			step debug "$DIOS_ROOT/scripts/vm.sh" test debug
		;;
	6.12 | 7.x | i386 | arm64 | armhf)
		other_kernel "$s"
		;;
	*)
		die "unknown step $s"
		;;
	esac
	log "$s: done in $((SECONDS - start))s"
done

passed=$(grep '^ok ' "$tap" | grep -vc ' # SKIP' || true)
skipped=$(grep '^ok ' "$tap" | grep -c ' # SKIP' || true)
failed=$(grep -c '^not ok ' "$tap" || true)
summary="$passed passed, $failed failed"
[[ $skipped -eq 0 ]] || summary+=", $skipped skipped"
echo "$summary"
[[ $failed -eq 0 ]]
