#!/bin/bash
# The Debian packages the project needs, by what needs them.
#
#   deps.sh                    install what is missing (`make deps`, .ci/run)
#   deps.sh --check GROUP...   install nothing: name what is missing for
#                              these groups and how to install it; exit 1
#                              if anything is
#
# This is the only step that runs apt (apt-get update, apt-get install, and
# the download of the stock guest kernel into the cache); every make target
# but `make deps` only checks. It never removes a package: apt-get runs with
# --no-remove, which aborts instead (on bookworm gcc-multilib conflicts with
# the gcc-12-<triplet> cross compilers: with those installed, the 32-bit
# build needs them unpacked privately, not replaced). It waits up to
# DIOS_APT_LOCK_TIMEOUT seconds (default 600) for another apt or dpkg to
# release the dpkg lock.
set -euo pipefail
. "$(dirname "$0")/common.sh"

declare -A group=(
	# libdios 64- and 32-bit, the tools
	[lib]="make build-essential gcc-multilib pkgconf"
	# dios.ko against the stock headers; modinfo, depmod
	[module]="make build-essential linux-headers-amd64 rsync kmod"
	# the selftests: kselftest_harness.h from the kernel source; the Go
	# package's tests (go/, scripts/go.sh)
	[tests]="linux-source-6.1 xz-utils golang-go"
	# checkpatch (from linux-source), sparse, mandoc (the manual pages),
	# gofmt and go vet
	[lint]="linux-source-6.1 xz-utils sparse mandoc golang-go"
	# the QEMU guest and its initramfs
	[vm]="qemu-system-x86 busybox-static cpio python3 kmod"
	# the debug guest kernel
	[debug]="linux-source-6.1 xz-utils bc bison flex libelf-dev libssl-dev ccache"
	# make bench
	[bench]="python3 gnuplot-nox"
	# the Rust crate (rust/, scripts/rust.sh): Debian's toolchain, unless
	# a cargo is on PATH already (see have_cargo below)
	[rust]="rustc cargo"
	# the DKMS test of make check
	[dkms]="dkms"
	# the install test of make check-host: man reads the installed pages
	[host]="man-db"
	# the other guest kernels (scripts/kernels.sh: 6.12, 7.x, i386, arm64,
	# armhf), built from source; their sources and the cross compilers
	# come into the cache through a private apt configuration, which
	# installs nothing
	[guests]="qemu-system-x86 qemu-system-arm busybox-static cpio python3 kmod
		bc bison flex libelf-dev libssl-dev ccache xz-utils linux-source-6.1"
)
all_groups="lib module tests rust lint vm debug bench dkms host guests"

check=0
if [[ ${1:-} == --check ]]; then
	check=1
	shift
fi
[[ $# -gt 0 ]] || set -- $all_groups

wanted=()
for g in "$@"; do
	[[ -n ${group[$g]:-} ]] || die "unknown group $g (groups: $all_groups)"
	for p in ${group[$g]}; do
		[[ " ${wanted[*]} " == *" $p "* ]] || wanted+=("$p")
	done
done

# A cargo on PATH (rustup's, newer) serves as well as Debian's.
have_cargo() { command -v cargo > /dev/null; }

missing=()
for p in "${wanted[@]}"; do
	[[ $p != rustc && $p != cargo ]] || ! have_cargo || continue
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ $check -eq 1 ]]; then
	[[ ${#missing[@]} -eq 0 ]] && exit 0
	{
		echo "missing Debian packages: ${missing[*]}"
		echo "install them with \`make deps\` (everything the project needs),"
		echo "or with: apt-get install --no-install-recommends ${missing[*]}"
	} >&2
	exit 1
fi

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q
	-o "DPkg::Lock::Timeout=${DIOS_APT_LOCK_TIMEOUT:-600}")
if [[ ${#missing[@]} -gt 0 ]]; then
	log "installing: ${missing[*]}"
	"${apt[@]}" update
	"${apt[@]}" install -y --no-install-recommends --no-remove "${missing[@]}"
fi

# The stock guest kernel image (downloaded into the cache, not installed).
if [[ " $* " == *" vm "* ]]; then
	"$DIOS_ROOT/scripts/stock-kernel.sh" --fetch > /dev/null || {
		"${apt[@]}" update
		"$DIOS_ROOT/scripts/stock-kernel.sh" --fetch > /dev/null
	}
fi
