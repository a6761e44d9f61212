# shellcheck shell=bash
# Shared settings for the dios build and test scripts. Source it; do not run it.
#
# Everything that is expensive and not part of the project (the extracted
# kernel source, the debug guest kernel, the stock guest kernel image, ccache)
# lives in a cache outside the clone: $DIOS_CACHE, default ~/.cache/dios.

DIOS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# CI may run with a bare environment: find HOME if it is not set.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
DIOS_CACHE=${DIOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dios}
DIOS_BUILD=${DIOS_BUILD:-$DIOS_ROOT/build}
DIOS_LOGS=$DIOS_BUILD/logs

# Debian's kernel source package; its tarball feeds the kselftest harness,
# checkpatch and the debug guest kernel.
LINUX_SRC_PKG=linux-source-6.1
LINUX_SRC_TARBALL=${LINUX_SRC_TARBALL:-/usr/src/$LINUX_SRC_PKG.tar.xz}

# The page that a manual page stub names, as manN/PAGE.N (relative to
# man/): a stub is a file whose one line is `.so manN/PAGE.N`. Nothing for
# a page of its own.
man_stub_target() {
	[[ $(grep -cv '^$' "$1") -eq 1 ]] || return 0
	sed -n 's/^\.so \(man[1-8]\/[^ /]*\.[1-8]\)$/\1/p' "$1"
}

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }
log() { echo "$(basename "$0"): $*" >&2; }

# Version of the installed linux-source package, e.g. "6.1.192-2".
linux_src_version() {
	dpkg-query -W -f='${Version}' "$LINUX_SRC_PKG" 2>/dev/null ||
		die "$LINUX_SRC_PKG is not installed (run make deps)"
}

# Kernel release of the headers that linux-headers-amd64 pulls in, e.g.
# "6.1.0-56-amd64". Not `uname -r`: the host may run another kernel.
stock_kernel_release() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (run make deps)"
	dep=${dep%%[ ,]*}
	[[ $dep == linux-headers-* ]] || die "cannot parse linux-headers-amd64 depends: $dep"
	echo "${dep#linux-headers-}"
}

# Debian package version of those headers, e.g. "6.1.192-2"; the stock guest
# kernel image must be exactly this version.
stock_kernel_version() {
	dpkg-query -W -f='${Version}' "linux-headers-$(stock_kernel_release)"
}

# Directory of the partial source extraction (kselftest headers, checkpatch),
# keyed by the source package version.
ksrc_dir() { echo "$DIOS_CACHE/ksrc-$(linux_src_version)"; }

# Directory of the full source tree for the debug kernel.
linux_tree_dir() { echo "$DIOS_CACHE/linux-$(linux_src_version)"; }

# Cache key of the debug guest kernel: the source package version, the
# config fragment and the script that builds it.
debug_key() {
	{ linux_src_version; cat "$DIOS_ROOT/scripts/debug.config" \
		"$DIOS_ROOT/scripts/debug-kernel.sh"; } | sha256sum | cut -c1-12
}

# Build directory (O=) of the debug guest kernel, one per key: clones with
# different configs share the cache without rebuilding each other's kernel.
debug_kdir() { echo "$DIOS_CACHE/debug-build-$(debug_key)"; }

# Serialize work on one cache entry between concurrent runs (other clones
# share the cache): lock_cache NAME holds $DIOS_CACHE/.lock-NAME until exit.
lock_cache() {
	mkdir -p "$DIOS_CACHE"
	exec 9>"$DIOS_CACHE/.lock-$1"
	flock 9
}

# The tests of check-host.sh and check-vm.sh: test_run LOG DESC FUNCTION
# runs FUNCTION with errexit on and its output in LOG, then prints one
# result line, `ok DESC` or (after the log's tail, on stderr) `not ok DESC
# (see LOG)`; returns non-zero on failure. test_fail says why and fails.
test_run() {
	local logf=$1 desc=$2
	# In the background, not in the if: errexit holds inside the test.
	(set -e; "$3") > "$logf" 2>&1 &
	if wait $!; then
		echo "ok $desc"
		return 0
	fi
	tail -n 15 "$logf" >&2
	echo "not ok $desc (see ${logf#"$DIOS_ROOT"/})"
	return 1
}
test_fail() { echo "FAIL: $*"; return 1; }
