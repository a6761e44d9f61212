#!/bin/bash
# Fetch the distribution kernel that matches the installed linux-headers-amd64
# (same release and Debian version) into the cache, without installing it on
# the host: `apt-get download` + `dpkg-deb` extraction. Prints the vmlinuz path.
#
#   stock-kernel.sh           the cached image; fails if it is not there
#   stock-kernel.sh --fetch   download it first if needed (scripts/deps.sh,
#                             the only step that uses apt)
set -euo pipefail
. "$(dirname "$0")/common.sh"

fetch_ok=0
[[ ${1:-} != --fetch ]] || fetch_ok=1

release=$(stock_kernel_release)
version=$(stock_kernel_version)
dir=$DIOS_CACHE/stock-$release-$version
vmlinuz=$dir/boot/vmlinuz-$release

lock_cache stock-kernel
if [[ ! -e $dir/.done && $fetch_ok -eq 0 ]]; then
	die "the stock guest kernel $release ($version) is not in $DIOS_CACHE: run make deps"
fi
if [[ ! -e $dir/.done ]]; then
	pkg=linux-image-$release
	log "downloading $pkg=$version"
	rm -rf "$dir" "$dir.dl"
	mkdir -p "$dir.dl"
	# The image may be named linux-image-<release> or, on some releases,
	# linux-image-<release>-unsigned; the apt lists may be stale or empty.
	fetch() {
		# (apt warns that the _apt user cannot write to a root-owned
		# cache directory and downloads as root; harmless.)
		(cd "$dir.dl" && { apt-get download -q "$pkg=$version" ||
			apt-get download -q "$pkg-unsigned=$version"; })
	}
	# deps.sh runs apt-get update and calls again if this fails.
	fetch >&2 || die "cannot download $pkg=$version"
	# Only boot/ is needed (vmlinuz, config, System.map), not the 400 MB of
	# modules: the initramfs carries everything the test VM uses.
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$dir.dl"/*.deb | tar -x -C "$dir" ./boot
	rm -rf "$dir.dl"
	[[ -e $vmlinuz ]] || die "no $vmlinuz in the package"
	touch "$dir/.done"
fi
echo "$vmlinuz"
