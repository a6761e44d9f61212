#!/bin/bash
# Cross toolchains and foreign busybox, unpacked privately into the cache.
#
#   cross.sh gcc TRIPLET      aarch64-linux-gnu | arm-linux-gnueabihf: prints
#                             the directory holding TRIPLET-gcc, -ld, -as...
#   cross.sh busybox ARCH     arm64 | armhf: prints the path of a static
#                             busybox for ARCH
#
# On bookworm gcc-multilib Conflicts with every gcc-12-<triplet> cross
# package (installing one removes the other), and the x86 32-bit builds need
# gcc-multilib. So the cross packages are never installed: they are fetched
# with `apt-get download` through a private apt configuration (the machine's
# own archive, bookworm, the foreign architectures; see apt-private.sh) and
# unpacked with `dpkg -x` into $DIOS_CACHE/cross-TRIPLET. Their binutils link
# against libbfd/libopcodes of their own package, which the dynamic linker
# does not find there: each such program is wrapped by a script that sets
# LD_LIBRARY_PATH. The entry is rebuilt when a package version or this
# script changes.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$DIOS_ROOT/scripts/apt-private.sh"

mode=${1:?usage: cross.sh gcc TRIPLET | busybox ARCH}
what=${2:?usage: cross.sh gcc TRIPLET | busybox ARCH}
# Only the result goes to stdout.
exec 3>&1 1>&2

papt_init cross "$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")" \
	"arm64 armhf i386"
papt_update

# Install $pkgs (name[:arch] list) unpacked into $dir unless its key matches.
# $1: the cache entry's lock name.
unpack() {
	local lock=$1 key p v versions=()
	for p in "${pkgs[@]}"; do
		v=$(papt_version "$p") || die "$p: not in the archive (lists: $PAPT_DIR)"
		versions+=("$p=$v")
	done
	key=$(printf '%s\n' "${versions[@]}" | cat - "$0" | sha256sum | cut -d' ' -f1)
	lock_cache "$lock"
	if [[ -e $dir/.dios-key && $(cat "$dir/.dios-key") == "$key" ]]; then
		return 1
	fi
	log "unpacking ${pkgs[*]} into $dir"
	rm -rf "$dir" "$dir.dl"
	papt_download "$dir.dl" "${versions[@]}"
	mkdir -p "$dir"
	for p in "$dir.dl"/*.deb; do
		dpkg -x "$p" "$dir"
	done
	rm -rf "$dir.dl"
	echo "$key" > "$dir/.dios-key.new"
	return 0
}

case $mode in
gcc)
	case $what in
	aarch64-linux-gnu) darch=arm64 ;;
	arm-linux-gnueabihf) darch=armhf ;;
	*) die "unknown triplet $what" ;;
	esac
	gccv=12
	dir=$DIOS_CACHE/cross-$what
	pkgs=(gcc-$gccv-$what cpp-$gccv-$what gcc-$gccv-$what-base
		binutils-$what libgcc-$gccv-dev-$darch-cross
		libc6-dev-$darch-cross libc6-$darch-cross
		linux-libc-dev-$darch-cross libgcc-s1-$darch-cross)
	if unpack "cross-$what"; then
		bin=$dir/usr/bin
		# The unversioned names the cross gcc-<triplet> package would add.
		for f in gcc cpp gcc-ar gcc-nm gcc-ranlib; do
			ln -sf "$what-$f-$gccv" "$bin/$what-$f"
		done
		# Programs that need the package's own libbfd/libopcodes.
		mkdir -p "$dir/real"
		for f in "$bin/$what"-*; do
			[[ -L $f ]] && continue
			[[ $(head -c 4 "$f") == $'\x7fELF' ]] || continue
			ldd "$f" 2>/dev/null | grep 'not found' >/dev/null || continue
			mv "$f" "$dir/real/"
			printf '%s\n' '#!/bin/sh' \
				"LD_LIBRARY_PATH=$dir/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $dir/real/${f##*/} \"\$@\"" \
				> "$f"
			chmod 755 "$f"
		done
		# glibc's linker scripts (libc.so...) name their members by
		# absolute path: point them into the unpacked tree.
		for f in "$dir/usr/$what/lib"/*.so; do
			[[ ! -L $f ]] && grep -q 'GNU ld script' "$f" || continue
			sed -i "s|/usr/$what/|$dir/usr/$what/|g" "$f"
		done
		# The compiler must work before the entry counts as done.
		printf 'int main(void) { return 0; }\n' > "$dir/t.c"
		"$bin/$what-gcc" -static -o "$dir/t" "$dir/t.c" ||
			die "the unpacked $what-gcc does not link a static program"
		"$bin/$what-gcc" -shared -fPIC -o "$dir/t.so" "$dir/t.c" ||
			die "the unpacked $what-gcc does not link a shared object"
		rm -f "$dir/t" "$dir/t.so" "$dir/t.c"
		mv "$dir/.dios-key.new" "$dir/.dios-key"
	fi
	echo "$dir/usr/bin" >&3
	;;
busybox)
	case $what in
	arm64 | armhf | i386) ;;
	*) die "unknown architecture $what" ;;
	esac
	dir=$DIOS_CACHE/busybox-$what
	pkgs=("busybox-static:$what")
	if unpack "busybox-$what"; then
		[[ -x $dir/bin/busybox ]] || die "no bin/busybox in busybox-static:$what"
		mv "$dir/.dios-key.new" "$dir/.dios-key"
	fi
	echo "$dir/bin/busybox" >&3
	;;
*)
	die "usage: cross.sh gcc TRIPLET | busybox ARCH"
	;;
esac
