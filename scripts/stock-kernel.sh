#!/bin/bash
# Fetch the distribution kernel that matches the installed linux-headers-amd64
# (same release and Debian version) into the cache, without installing it on
# the host: `apt-get download` + `dpkg-deb` extraction. Prints the vmlinuz path.
set -euo pipefail
. "$(dirname "$0")/common.sh"

release=$(stock_kernel_release)
version=$(stock_kernel_version)
dir=$DIOS_CACHE/stock-$release-$version
vmlinuz=$dir/boot/vmlinuz-$release

lock_cache stock-kernel
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
	if ! fetch; then
		sudo=()
		[[ $(id -u) -eq 0 ]] || sudo=(sudo)
		"${sudo[@]}" apt-get update -q >&2
		fetch || die "cannot download $pkg=$version"
	fi >&2
	# Only boot/ is needed (vmlinuz, config, System.map), not the 400 MB of
	# modules: the initramfs carries everything the test VM uses.
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$dir.dl"/*.deb | tar -x -C "$dir" ./boot
	rm -rf "$dir.dl"
	[[ -e $vmlinuz ]] || die "no $vmlinuz in the package"
	touch "$dir/.done"
fi
echo "$vmlinuz"
