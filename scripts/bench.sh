#!/bin/bash
# make bench: boot the stock kernel with dios.ko, run /demo/dios-bench
# (tools/dios-bench.c), then print the table of dios against Linux and plot
# stream throughput. Results: build/bench/{results.json,table.txt,
# throughput.dat,throughput.png}. Exits non-zero only if the benchmark
# itself fails (a functional error, a kernel report, a timeout), never
# because a target is missed. DIOS_QEMU_ICOUNT=1: QEMU -icount mode (what
# make bench uses unless ICOUNT=0). DIOS_BENCH_ROWS=id,id: only these rows.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$DIOS_BUILD/bench
mkdir -p "$out"
rm -f "$out"/results.json "$out"/table.txt "$out"/throughput.{dat,png}
mode="TCG, host time"
[[ ${DIOS_QEMU_ICOUNT:-0} == 0 ]] ||
	mode="TCG -icount shift=${DIOS_QEMU_ICOUNT_SHIFT:-0},sleep=off, virtual time"
log "running the benchmark in the stock VM ($mode)"
start=$SECONDS
"$DIOS_ROOT/scripts/vm.sh" bench stock
log "VM finished in $((SECONDS - start))s"

"$DIOS_ROOT/scripts/bench-report.py" "$out/results.json" \
	"$out/throughput.dat" | tee "$out/table.txt"
echo "mode: $mode" >> "$out/table.txt"
if ! grep -q '^[0-9]' "$out/throughput.dat"; then
	log "no stream rows (ROWS=): no plot"
elif command -v gnuplot >/dev/null; then
	gnuplot -e "in='$out/throughput.dat'; out='$out/throughput.png'; mode='$mode'" \
		"$DIOS_ROOT/scripts/bench.gp"
	log "plot: $out/throughput.png"
else
	log "gnuplot not installed: no plot"
fi
log "results: $out/results.json, table: $out/table.txt"
