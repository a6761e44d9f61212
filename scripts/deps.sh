#!/bin/bash
# Install every Debian package the build, the lint and the QEMU tests need.
# Idempotent: when everything is present it only runs dpkg-query and exits;
# `apt-get update` runs only when something is missing.
set -euo pipefail

packages=(
	make build-essential gcc-multilib
	linux-headers-amd64 linux-source-6.1
	bc bison flex libelf-dev libssl-dev xz-utils kmod rsync
	sparse ccache
	qemu-system-x86 qemu-system-arm busybox-static cpio
	python3 gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps.sh: installing: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
