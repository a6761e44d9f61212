#!/bin/bash
# The guest kernels beyond stock and debug, each `make tinyconfig` plus
# config fragments, built with gcc-12 from a Debian source package and
# cached in $DIOS_CACHE/kbuild-NAME (like scripts/debug-kernel.sh).
#
#   kernels.sh build NAME   build (or reuse) the kernel; prints its build
#                           directory (the KDIR for the module)
#   kernels.sh name NAME    the name in result lines (7.x -> 7.2)
#   kernels.sh kbuild-vars NAME
#                           ARCH=... CROSS_COMPILE=... CC=... CHECK=... for
#                           a module build
#   kernels.sh vm NAME      shell assignments scripts/vm.sh evaluates: the
#                           image, QEMU, console, busybox, user-space dirs
#
# NAME      source                          arch     user space in the guest
# 6.12      linux-source-6.12 (trixie)      x86_64   x86_64, i386
# 7.x       newest linux-source-7.N (sid)   x86_64   x86_64, i386
# i386      linux-source-6.1 (installed)    i386     i386
# arm64     linux-source-6.1 (installed)    arm64    aarch64, armhf
# armhf     linux-source-6.1 (installed)    arm      none: module build only
#                                                    (against a whole
#                                                    kernel, so that modpost
#                                                    resolves every symbol)
#
# A kernel is rebuilt when its key changes: source package version, config
# fragments, the compiler's and binutils' versions, the make command.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$DIOS_ROOT/scripts/apt-private.sh"

cmd=${1:?usage: kernels.sh build|name|kbuild-vars|vm NAME}
name=${2:?usage: kernels.sh build|name|kbuild-vars|vm NAME}
cfgdir=$DIOS_ROOT/scripts/kconfig
# Sources of other suites come through the private lists (apt-private.sh).
papt_init src "trixie sid"

# The newest 7.x in sid, e.g. linux-source-7.2 (from the private lists).
newest_7x() {
	papt_update
	papt_newest linux-source- 'linux-source-7\.[0-9]+' ||
		die "no linux-source-7.* in sid (lists: $PAPT_DIR)"
}

# Set the description of kernel $name: pkg (source package), suite (empty:
# the installed linux-source-6.1), karch, cross (triplet or empty), image
# (path in the build dir), guest (boots under QEMU), frags.
describe() {
	cross= suite= guest=y
	case $name in
	6.12) pkg=linux-source-6.12 suite=trixie karch=x86_64 ;;
	7.x) pkg=$(newest_7x) suite=sid karch=x86_64 ;;
	i386) pkg=$LINUX_SRC_PKG karch=i386 ;;
	arm64) pkg=$LINUX_SRC_PKG karch=arm64 cross=aarch64-linux-gnu ;;
	armhf) pkg=$LINUX_SRC_PKG karch=arm cross=arm-linux-gnueabihf guest= ;;
	*) die "unknown kernel $name (6.12, 7.x, i386, arm64, armhf)" ;;
	esac
	case $karch in
	x86_64 | i386) image=arch/x86/boot/bzImage ;;
	arm64) image=arch/arm64/boot/Image ;;
	arm) image=arch/arm/boot/zImage ;;
	esac
	frags=("$cfgdir/base.config" "$cfgdir/$karch.config")
	kdir=$DIOS_CACHE/kbuild-$name
}

# The version of the source package: installed, or the candidate in the
# private lists.
src_version() {
	if [[ -z $suite ]]; then
		linux_src_version
	else
		papt_update
		papt_version "$pkg" || die "$pkg not found in $suite (lists: $PAPT_DIR)"
	fi
}

# The extracted source tree of $pkg at version $1; prints its directory.
src_tree() {
	local ver=$1 dir tmp
	if [[ -z $suite ]]; then
		"$DIOS_ROOT/scripts/ksrc.sh" full
		return
	fi
	dir=$DIOS_CACHE/linux-$ver
	lock_cache "src-$ver"
	if [[ ! -e $dir/.done ]]; then
		log "fetching $pkg=$ver ($suite)"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		papt_download "$dir.tmp" "$pkg=$ver"
		dpkg-deb --fsys-tarfile "$dir.tmp"/*.deb |
			tar -xO "./usr/src/$pkg.tar.xz" | tar -xJ -C "$dir.tmp"
		mv "$dir.tmp/$pkg" "$dir"
		rm -rf "$dir.tmp"
		touch "$dir/.done"
	fi
	echo "$dir"
}

# CROSS_COMPILE prefix (empty for x86) and the C compiler to build with.
toolchain() {
	if [[ -n $cross ]]; then
		cross_prefix=$("$DIOS_ROOT/scripts/cross.sh" gcc "$cross")/$cross-
		kcc=${cross_prefix}gcc
	else
		cross_prefix=
		kcc=gcc-12
	fi
	command -v "$kcc" > /dev/null || die "$kcc not found"
}

# A sparse new enough for every kernel here, on stdout: Debian 12's 0.6.4
# is refused by 7.x (scripts/checker-valid.sh wants __typeof_unqual__), and
# sid's binary package needs a newer libc. So sid's source package, fetched
# through a private apt configuration, is built (about 20 s) into the cache.
sparse_bin() {
	local ver dir tmp
	(
		papt_init sparse-src sid "" deb-src
		papt_update
		ver=$(apt-cache showsrc sparse 2>/dev/null |
			awk '/^Version:/ { print $2 }' | sort -V | tail -n 1)
		[[ -n $ver ]] || die "no sparse source package in sid (lists: $PAPT_DIR)"
		dir=$DIOS_CACHE/sparse-$ver
		lock_cache "sparse-$ver"
		if [[ ! -x $dir/sparse ]]; then
			log "building sparse $ver from source"
			tmp=$(mktemp -d "$DIOS_CACHE/.sparse.XXXXXX")
			trap 'rm -rf "$tmp"' EXIT
			(cd "$tmp" && apt-get source --download-only -q "sparse=$ver") >&2 ||
				die "cannot download the sparse=$ver source"
			tar -xf "$tmp"/sparse_*.orig.tar.* -C "$tmp"
			unset MAKEFLAGS MFLAGS MAKELEVEL
			make -C "$tmp"/sparse-*/ -j"$(nproc)" sparse HAVE_LLVM=no \
				HAVE_SQLITE=no HAVE_GTK=no HAVE_LIBXML=no >&2 ||
				die "sparse $ver does not build"
			mkdir -p "$dir"
			cp "$tmp"/sparse-*/sparse "$dir/sparse"
		fi
		echo "$dir/sparse"
	)
}

# ARCH and CROSS_COMPILE of a build against this kernel.
arch_vars() {
	local a=$karch
	[[ $a != x86_64 ]] || a=x86
	[[ $a != i386 ]] || a=x86
	echo "ARCH=$a${cross_prefix:+ CROSS_COMPILE=$cross_prefix}"
}

build() {
	local ver src key f kmake cfglog bad line opt want targets
	ver=$(src_version)
	toolchain
	# shellcheck disable=SC2046
	kmake=(make $(arch_vars) CC="ccache $kcc" HOSTCC="ccache gcc-12")
	targets=("${image##*/}" modules_prepare modules)
	# The inputs: source, fragments, compiler, binutils, how make runs.
	key=$( { echo "$pkg=$ver"; "$kcc" --version | head -n 1;
		 "${cross_prefix}ld" --version | head -n 1; cat "${frags[@]}";
		 echo "${kmake[*]} tinyconfig ${targets[*]}"; } |
		sha256sum | cut -d' ' -f1)
	lock_cache "kbuild-$name"
	if [[ -e $kdir/.dios-key && $(cat "$kdir/.dios-key") == "$key" ]]; then
		echo "$kdir"
		return
	fi
	src=$(src_tree "$ver")
	mkdir -p "$kdir"
	rm -f "$kdir/.dios-key"
	export CCACHE_DIR=${CCACHE_DIR:-$DIOS_CACHE/ccache}
	export CCACHE_BASEDIR=$DIOS_CACHE CCACHE_NOHASHDIR=1
	unset MAKEFLAGS MFLAGS MAKELEVEL
	kmake+=(-C "$src" O="$kdir" -j"$(nproc)")

	log "configuring $name ($pkg $ver, ARCH=$karch) in $kdir"
	cfglog=$kdir/config.log
	"${kmake[@]}" tinyconfig > "$cfglog" 2>&1 ||
		{ tail -n 20 "$cfglog" >&2; die "$name: tinyconfig failed"; }
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$kdir" \
		"$kdir/.config" "${frags[@]}") >> "$cfglog" 2>&1
	"${kmake[@]}" olddefconfig >> "$cfglog" 2>&1
	# Every option of the fragments must have stuck (see debug-kernel.sh).
	bad=0
	for f in "${frags[@]}"; do
		while IFS= read -r line; do
			[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
			opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
			if [[ $want == n ]]; then
				! grep -q "^$opt=[ym]" "$kdir/.config" ||
					{ log "$opt is set, wanted n"; bad=1; }
			elif ! grep -qx "$opt=$want" "$kdir/.config"; then
				log "$opt=$want did not stick (got: $(grep -E "^(# )?$opt[= ]" "$kdir/.config" || echo absent))"
				bad=1
			fi
		done < "$f"
	done
	[[ $bad -eq 0 ]] || die "$name: kernel config is missing options of ${frags[*]}"

	log "building $name: ${targets[*]} (log: $kdir/build.log)"
	if ! "${kmake[@]}" "${targets[@]}" > "$kdir/build.log" 2>&1; then
		tail -n 30 "$kdir/build.log" >&2
		die "$name: kernel build failed; see $kdir/build.log"
	fi
	echo "$key" > "$kdir/.dios-key"
	echo "$kdir"
}

describe
case $cmd in
build)
	# Only the result goes to stdout.
	exec 3>&1 1>&2
	build >&3
	;;
name)
	if [[ $name == 7.x ]]; then
		v=$(src_version)
		v=${v%%-*}
		echo "${v%.*}"
	else
		echo "$name"
	fi
	;;
kbuild-vars)
	toolchain
	# CC as the kernel was built with: kbuild compares its version text.
	check=$(sparse_bin) || exit 1
	echo "$(arch_vars) CC=$kcc CHECK=$check"
	;;
vm)
	[[ -n $guest ]] || die "$name: no guest kernel (module build only)"
	[[ -e $kdir/.dios-key ]] || die "$name: kernel not built (kernels.sh build $name)"
	echo "image=$kdir/$image"
	echo "tapname=$("$0" name "$name")"
	case $karch in
	x86_64)
		echo "qemu_sys=qemu-system-x86_64 qemu_machine=() ttys=ttyS0"
		echo "userdirs=(64:$DIOS_BUILD/tests64:$DIOS_BUILD/seeds64 32:$DIOS_BUILD/tests32:$DIOS_BUILD/seeds32)"
		;;
	i386)
		echo "qemu_sys=qemu-system-i386 qemu_machine=() ttys=ttyS0"
		echo "busybox=$("$DIOS_ROOT/scripts/cross.sh" busybox i386)"
		echo "userdirs=(32:$DIOS_BUILD/tests32:$DIOS_BUILD/seeds32)"
		;;
	arm64)
		echo "qemu_sys=qemu-system-aarch64 qemu_machine=(-M virt -cpu max) ttys=ttyAMA0 results_virtio=1"
		echo "busybox=$("$DIOS_ROOT/scripts/cross.sh" busybox arm64)"
		echo "userdirs=(64:$DIOS_BUILD/aarch64-linux-gnu/tests:$DIOS_BUILD/aarch64-linux-gnu/seeds 32:$DIOS_BUILD/arm-linux-gnueabihf/tests:$DIOS_BUILD/arm-linux-gnueabihf/seeds)"
		;;
	esac
	;;
*)
	die "usage: kernels.sh build|name|kbuild-vars|vm NAME"
	;;
esac
