#!/bin/bash
# make profile: where the instructions of a dios call go, per function, in
# the stock guest (no PMU under TCG, so no perf there: QEMU counts).
#
# Builds a TCG plugin (scripts/profile/plugin.c) and a guest program
# (scripts/profile/probe.c), boots the stock kernel in icount mode with the
# plugin loaded, runs the probes (PROBES: names, default all; see probe.c)
# and prints, per probe, the instructions per iteration and the functions
# they go to, named with the guest's own /proc/kallsyms (module included).
# Output: build/profile/profile.txt; TOP=N functions per probe (25).
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$DIOS_BUILD/profile
mkdir -p "$out/bin"
rm -f "$out"/{plugin.out,guest.txt,profile.txt}
cc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$out/plugin.so" \
	"$DIOS_ROOT/scripts/profile/plugin.c"
cc -O2 -Wall -Wextra -Werror -static -no-pie -I"$DIOS_ROOT/userlib" \
	-I"$DIOS_ROOT/uapi" -o "$out/probe" "$DIOS_ROOT/scripts/profile/probe.c" \
	"$DIOS_BUILD/lib64/libdios.a" -lpthread

# vm.sh runs qemu-system-x86_64 from PATH: this one loads the plugin.
cat > "$out/bin/qemu-system-x86_64" <<EOS
#!/bin/sh
exec $(command -v qemu-system-x86_64) -plugin "$out/plugin.so,out=$out/plugin.out" "\$@"
EOS
chmod +x "$out/bin/qemu-system-x86_64"

log "profiling ${PROBES:-every probe} in the stock VM (icount)"
PATH=$out/bin:$PATH DIOS_QEMU_ICOUNT=1 DIOS_VM_FILES="$out/probe" \
	DIOS_VM_CMD="/files/probe ${PROBES:-}" \
	"$DIOS_ROOT/scripts/vm.sh" cmd stock > "$out/guest.txt" ||
	die "the probe failed; its output: $out/guest.txt"
[[ -s $out/plugin.out ]] || die "the plugin wrote nothing (QEMU with plugin API 1 needed)"
"$DIOS_ROOT/scripts/profile/report.py" "$out/plugin.out" "$out/guest.txt" \
	"${TOP:-25}" "$out/probe" | tee "$out/profile.txt"
log "profile: $out/profile.txt"
