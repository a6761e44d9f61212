#!/bin/bash
# The test driver behind `make check`, `make check-stock`, `make check-debug`,
# `make check-host`, `make check-dkms` and `make lint`:
#   check.sh [lint] [host] [dkms] [stock] [debug]
# (host: scripts/check-host.sh, the plain M= build, DKMS, install and
# dpkg-lock tests on the host; dkms: its DKMS test alone)
# Each step prints result lines (`ok NAME` / `not ok NAME`); a step that cannot
# even start (a build failure, a debug kernel that does not build) is one
# `not ok` line, never a silent skip. The last line printed is the summary
# `N passed, N failed[, N skipped]`; the exit status is non-zero on any
# failure. All result lines are kept in build/logs/check.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[[ $# -gt 0 ]] || set -- lint host stock debug
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
# `not ok` line. Returns the command's status.
quiet() {
	local name=$1 logf=$2
	shift 2
	if "$@" > "$logf" 2>&1; then
		return 0
	fi
	tail -n 25 "$logf" >&2
	echo "not ok $name (see ${logf#"$DIOS_ROOT"/})" | tee -a "$tap"
	return 1
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
		quiet "stock: build" "$DIOS_LOGS/build-stock.log" "${make[@]}" build &&
			step stock "$DIOS_ROOT/scripts/vm.sh" test stock
		;;
	debug)
		quiet "debug: guest kernel build" "$DIOS_LOGS/debug-kernel.log" \
			"$DIOS_ROOT/scripts/debug-kernel.sh" &&
			quiet "debug: build" "$DIOS_LOGS/build-debug.log" \
				"${make[@]}" build module-debug &&
			step debug "$DIOS_ROOT/scripts/vm.sh" test debug
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
