#!/bin/bash
# Build (or reuse) the debug guest kernel: Debian's linux-source-6.1,
# tinyconfig + scripts/debug.config, built with ccache in $DIOS_CACHE.
# Prints the build directory (usable as KDIR for the module); its
# arch/x86/boot/bzImage is the guest kernel.
#
# The build is skipped when the cache key (source package version + config
# fragment + this script, debug_key in common.sh) matches the one recorded by
# the last good build in the key's own directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"

fragment=$DIOS_ROOT/scripts/debug.config
kdir=$(debug_kdir)
key=$(debug_key)

# Only the result goes to stdout; all the build chatter goes to stderr.
exec 3>&1 1>&2
lock_cache debug-kernel

if [[ -e $kdir/.dios-key && $(cat "$kdir/.dios-key") == "$key" &&
      -e $kdir/arch/x86/boot/bzImage ]]; then
	echo "$kdir" >&3
	exit 0
fi

src=$("$DIOS_ROOT/scripts/ksrc.sh" full)
mkdir -p "$kdir"
rm -f "$kdir/.dios-key"
export CCACHE_DIR=${CCACHE_DIR:-$DIOS_CACHE/ccache}
# Hits even when the cache moves (another DIOS_CACHE sharing CCACHE_DIR):
# paths under the cache are hashed relative, the working directory not at all.
export CCACHE_BASEDIR=$DIOS_CACHE CCACHE_NOHASHDIR=1
unset MAKEFLAGS MFLAGS MAKELEVEL  # a standalone build with its own -j
kmake=(make -C "$src" O="$kdir" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(nproc)")

log "configuring the debug kernel in $kdir"
cfglog=$kdir/config.log
"${kmake[@]}" tinyconfig > "$cfglog" 2>&1
# merge_config.sh -m: merge the fragment over .config without running
# alldefconfig; -O: output directory.
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$kdir" "$kdir/.config" "$fragment") >> "$cfglog" 2>&1
"${kmake[@]}" olddefconfig >> "$cfglog" 2>&1

# Every option of the fragment must have stuck: a typo or an unmet
# dependency would otherwise silently give a kernel without the checker.
bad=0
while IFS= read -r line; do
	[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
	opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
	if [[ $want == n ]]; then
		grep -qx "# $opt is not set" "$kdir/.config" || grep -qx "$opt=n" "$kdir/.config" ||
			! grep -q "^$opt=" "$kdir/.config" || { log "$opt is set, wanted n"; bad=1; }
	elif ! grep -qx "$opt=$want" "$kdir/.config"; then
		log "$opt=$want did not stick (got: $(grep -E "^(# )?$opt[= ]" "$kdir/.config" || echo absent))"
		bad=1
	fi
done < "$fragment"
[[ $bad -eq 0 ]] || die "debug kernel config is missing options from $fragment"

log "building the debug kernel (log: $kdir/build.log)"
if ! "${kmake[@]}" bzImage modules_prepare modules > "$kdir/build.log" 2>&1; then
	tail -n 30 "$kdir/build.log" >&2
	die "debug kernel build failed; see $kdir/build.log"
fi
echo "$key" > "$kdir/.dios-key"
echo "$kdir" >&3
