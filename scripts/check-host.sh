#!/bin/bash
# Tests run on the host, against the stock headers (linux-headers-amd64),
# of how dios is built and installed outside this repository's own flow:
#
#   check-host.sh [kbuild] [dkms] [install] [nolock]   (default: all four)
#
#   kbuild   a plain `make -C <headers> M=<dir>/kernel` of a copy of the
#            sources builds dios.ko with its devname and misc aliases
#   dkms     dkms add, build, install and remove of the DKMS source tree in
#            a private DKMS tree (--dkmstree, --sourcetree, --installtree,
#            its own signing key); the host's DKMS, source and module trees
#            are the same afterwards
#   install  make install and modules_install into a DESTDIR, a program
#            built with pkg-config 64- and 32-bit against the installed
#            libraries, the manual pages (every page, found by man), a
#            copy of examples/ built with its own Makefile (also static);
#            make uninstall leaves nothing
#   nolock   make install and the build of make shell (make vm-build) in a
#            fresh copy of the sources succeed while another process holds
#            the dpkg lock, and run no apt or dpkg; with a package missing,
#            make install says which and how to install it, and stops
#
# One `ok`/`not ok` line per test on stdout; details in build/logs/host-*.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[[ $# -gt 0 ]] || set -- kbuild dkms install nolock
mkdir -p "$DIOS_LOGS"
release=$(stock_kernel_release)
kdir=/lib/modules/$release/build
version=$("$DIOS_ROOT/scripts/version.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/dios-host.XXXXXX")
holder=
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

status=0
# run NAME FUNCTION DESC: one result line; the function's output goes to a log.
run() { test_run "$DIOS_LOGS/host-$1.log" "host: $3" "$2" || status=1; }
fail() { test_fail "$@"; }

# The module's aliases and version, as depmod and kmod will see them.
check_modinfo() {
	local ko=$1 aliases
	# (Output captured first: grep -q closing a pipe early fails it.)
	aliases=$(modinfo -F alias "$ko")
	grep -qx 'devname:dios' <<< "$aliases" || fail "$ko: no devname:dios alias"
	grep -qx 'char-major-10-[0-9]*' <<< "$aliases" || fail "$ko: no char-major-10 alias"
	[[ $(modinfo -F version "$ko") == "$version" ]] || fail "$ko: version is not $version"
	[[ $(modinfo -F vermagic "$ko" | cut -d' ' -f1) == "$release" ]] || fail "$ko: not built for $release"
}

# A module tree with dios.ko in it: depmod lists the static node.
check_devname() {
	local base=$1
	depmod -b "$base" -a "$release" 2>&1 | grep -v 'modules\.\(builtin\|order\)' || true
	grep -Eqx 'dios dios c10:[0-9]+' "$base/lib/modules/$release/modules.devname" ||
		fail "no /dev/dios in modules.devname"
	grep -qx 'alias devname:dios dios' "$base/lib/modules/$release/modules.alias" ||
		fail "no devname alias in modules.alias"
}

# The sources as a fresh clone has them (tracked and new files, no build/).
copy_sources() {
	mkdir -p "$1"
	(cd "$DIOS_ROOT" && git ls-files -co --exclude-standard -z |
		xargs -0 cp --parents -t "$1")
}

t_kbuild() {
	local src=$work/kbuild
	mkdir -p "$src"
	cp -r "$DIOS_ROOT/kernel" "$DIOS_ROOT/uapi" "$src/"
	make -C "$kdir" M="$src/kernel" -j2 modules
	[[ -e $src/kernel/dios.ko ]] || fail "no dios.ko from a plain M= build"
	check_modinfo "$src/kernel/dios.ko"
}

# The trees dkms may write to; they must be the same after the test. (Of
# /usr/src only what dkms would add, a source tree: other packages may
# install theirs meanwhile.)
host_trees() {
	{
		find /var/lib/dkms /etc/dkms "/lib/modules/$release" \
			-printf '%p %y %s %T@\n' 2>/dev/null
		find /usr/src -maxdepth 1 -name 'dios*' -printf '%p %y %s %T@\n'
	} | sort
}

t_dkms() {
	local d=$work/dkms before after ko
	mkdir -p "$d"/{dkms,src,tmp} "$d/modules/$release"
	before=$(host_trees)
	"$DIOS_ROOT/scripts/dkms.sh" stage "$d/stage/dios-$version"
	# dkms generates and uses a signing key: a private one, not the host's.
	export mok_signing_key=$d/mok.key mok_certificate=$d/mok.pub
	local opt=(--dkmstree "$d/dkms" --sourcetree "$d/src"
		--installtree "$d/modules" --no-depmod)
	TMPDIR=$d/tmp "$DIOS_ROOT/scripts/dkms.sh" install "$d/stage/dios-$version" \
		"$release" "${opt[@]}"
	dkms status "${opt[@]}" dios | tee "$d/status"
	grep -q "^dios/$version, $release, x86_64: installed" "$d/status" ||
		fail "dkms status does not say installed"
	ko=$(find "$d/modules/$release" -name 'dios.ko*')
	[[ -n $ko ]] || fail "dkms installed no dios.ko"
	check_modinfo "$ko"
	mkdir -p "$d/root/lib/modules"
	cp -r "$d/modules/$release" "$d/root/lib/modules/"
	check_devname "$d/root"
	TMPDIR=$d/tmp "$DIOS_ROOT/scripts/dkms.sh" remove "$version" "${opt[@]}"
	[[ -z $(find "$d/modules" -name 'dios.ko*') ]] || fail "dkms remove left dios.ko"
	[[ ! -e $d/src/dios-$version ]] || fail "the source tree is still there"
	[[ -z $(dkms status "${opt[@]}" dios) ]] || fail "dkms still knows dios"
	after=$(host_trees)
	[[ $before == "$after" ]] || {
		diff <(echo "$before") <(echo "$after") || true
		fail "the host's DKMS, source or module trees changed"
	}
}

# The installed manual pages in $1 (DATADIR/man): every page of man/,
# compressed, a .so stub as a link to its page, and man finds them.
check_man() {
	local mandir=$1 p page n=0 out
	for p in "$DIOS_ROOT"/man/man[1-8]/*.[1-8]; do
		page=$mandir/${p#"$DIOS_ROOT/man/"}.gz
		[[ -f $page ]] || fail "make install put no $page (or a dangling link)"
		gzip -t "$page" || fail "$page is not gzip"
		n=$((n + 1))
	done
	[[ $n -gt 0 ]] || fail "no manual pages in man/"
	[[ ! -L $mandir/man3/dios_create.3.gz && -L $mandir/man3/dios_acquire_write.3.gz ]] ||
		fail "dios_create.3.gz should be a page, dios_acquire_write.3.gz a link"
	out=$(MANWIDTH=80 man -l "$mandir/man3/dios_create.3.gz" 2>&1)
	grep -Eq '^ +dios_create . create a DIOS object$' <<< "$out" ||
		fail "man -l dios_create.3.gz: $out"
	out=$(MANWIDTH=80 man -M "$mandir" 3 dios_acquire_write 2>&1)
	grep -Eq '^ +dios_acquire_read, +dios_acquire_write ' <<< "$out" ||
		fail "man 3 dios_acquire_write: $out"
	out=$(MANWIDTH=80 man -M "$mandir" dios_acquire_read 2>&1)
	grep -q '^RETURN VALUE' <<< "$out" && grep -q '^ERRORS' <<< "$out" ||
		fail "man dios_acquire_read: $out"
	out=$(MANWIDTH=80 man -M "$mandir" 1 dios 2>&1)
	grep -Eq '^ +dios . ' <<< "$out" || fail "man 1 dios: $out"
	out=$(MANWIDTH=80 man -M "$mandir" 7 dios 2>&1)
	grep -Eq '^ +dios . DIOS objects, names and references for Linux$' <<< "$out" ||
		fail "man 7 dios: $out"
	echo "$n manual pages installed"
}

# A program of one's own, built with pkg-config against the installed
# library; it prints __u64 fields the way userlib/dios.h says, with
# -Wformat=2 -Werror, and runs on the host without the module.
prog_c='
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dios.h>

int main(void)
{
	struct dios_version_req v;
	int ret;

	memset(&v, 0, sizeof(v));
	ret = dios_version(&v);
	printf("dios_version: %d: %s\n", ret, dios_strerror(ret));
	printf("features %#llx max_size %llu\n", v.features, v.max_size);
	return ret == -ENODEV ? 0 : 1;
}'

# Whether the host kernel runs programs of this word size (a kernel without
# IA32 emulation runs no -m32 program: "Exec format error").
host_runs() {
	echo 'int main(void) { return 0; }' > "$work/probe.c"
	gcc "-m$1" -o "$work/probe$1" "$work/probe.c" && "$work/probe$1" 2>/dev/null
}

# An example built against a DESTDIR install ($2: its library directory,
# empty for a static one) uses that libdios, and without the module it
# fails, status 1, saying why.
check_example() {
	local prog=$1 libdir=$2 out status=0
	if [[ -n $libdir ]]; then
		out=$(LD_LIBRARY_PATH=$libdir ldd "$prog")
		grep -q "libdios.so.1 => $libdir/" <<< "$out" ||
			fail "$prog does not use the installed libdios: $out"
	fi
	out=$(LD_LIBRARY_PATH=$libdir "$prog" 2>&1) || status=$?
	echo "$out"
	[[ $status -eq 1 ]] || fail "$prog: status $status without the module, not 1"
	grep -q "the dios module is not loaded" <<< "$out" ||
		fail "$prog: no -ENODEV explained"
}

t_install() {
	local root=$work/install a dir pcenv pc flags out rc
	make -C "$DIOS_ROOT" --no-print-directory install DESTDIR="$root" PREFIX=/usr
	make -C "$DIOS_ROOT" --no-print-directory modules_install DESTDIR="$root" PREFIX=/usr
	for f in usr/bin/dios usr/include/dios.h usr/include/linux/dios.h \
		usr/lib/x86_64-linux-gnu/libdios.so.1 usr/lib/i386-linux-gnu/libdios.so.1 \
		etc/udev/rules.d/70-dios.rules etc/sysusers.d/dios.conf \
		"lib/modules/$release/updates/dios.ko"; do
		[[ -e $root/$f ]] || fail "make install put no $f"
	done
	grep -q 'GROUP="dios", MODE="0660"' "$root/etc/udev/rules.d/70-dios.rules" ||
		fail "the udev rule is not group dios, mode 0660"
	grep -Eqx 'dios dios c10:[0-9]+' "$root/lib/modules/$release/modules.devname" ||
		fail "modules_install: no /dev/dios in modules.devname"
	check_modinfo "$root/lib/modules/$release/updates/dios.ko"
	check_man "$root/usr/share/man"
	echo "$prog_c" > "$work/prog.c"
	# examples/, as installed, is meant to be copied and built on its own.
	cp -r "$root/usr/share/doc/dios/examples" "$work/examples"
	for a in 64 32; do
		dir=x86_64-linux-gnu
		[[ $a == 64 ]] || dir=i386-linux-gnu
		pcenv=(env PKG_CONFIG_SYSROOT_DIR="$root"
			PKG_CONFIG_LIBDIR="$root/usr/lib/$dir/pkgconfig")
		pc=("${pcenv[@]}" pkg-config)
		flags=$("${pc[@]}" --cflags --libs libdios)
		[[ $flags == *"-L$root/usr/lib/$dir"* ]] || fail "pkg-config $a: $flags"
		# shellcheck disable=SC2086
		gcc -m$a -Wall -Wextra -Wformat=2 -Werror -o "$work/prog$a" \
			"$work/prog.c" $flags -Wl,--trace > "$work/link$a"
		grep -qx "$root/usr/lib/$dir/libdios.so" "$work/link$a" ||
			fail "prog$a was not linked with the installed libdios: $(cat "$work/link$a")"
		readelf -dW "$work/prog$a" | grep 'NEEDED.*\[libdios\.so\.1\]' >/dev/null ||
			fail "prog$a does not need libdios.so.1"
		"${pcenv[@]}" make -C "$work/examples" O="$work/ex$a" \
			CC="gcc -m$a" CFLAGS="-O2 -Wall -Wextra -Wformat=2 -Werror"
		"${pcenv[@]}" make -C "$work/examples" O="$work/ex$a-static" \
			CC="gcc -m$a" STATIC=1
		out=$(readelf -lW "$work/ex$a-static/spawn_chan")
		! grep -q 'program interpreter' <<< "$out" ||
			fail "STATIC=1 built a dynamic program"
		# A host kernel without IA32 emulation runs no i386 program
		# (the guests test those): linked and checked, not run.
		if ! host_runs "$a"; then
			echo "the host kernel cannot run $a-bit programs: prog$a and the examples not run"
			touch "$work/not-run$a"
			continue
		fi
		out=$(LD_LIBRARY_PATH=$root/usr/lib/$dir ldd "$work/prog$a")
		grep -q "libdios.so.1 => $root/usr/lib/$dir/" <<< "$out" ||
			fail "prog$a does not use the installed libdios: $out"
		out=$(LD_LIBRARY_PATH=$root/usr/lib/$dir "$work/prog$a") ||
			fail "prog$a: $out"
		echo "$out"
		grep -q "dios_version: -19: the dios module is not loaded" <<< "$out" ||
			fail "prog$a: no -ENODEV explained"
		check_example "$work/ex$a/stream_zerocopy" "$root/usr/lib/$dir"
		check_example "$work/ex$a-static/spawn_chan" ""
	done
	# Without libdios where pkg-config looks, the Makefile says so.
	if out=$(PKG_CONFIG_LIBDIR=$work/nothing make -C "$work/examples" \
		O="$work/ex-none" 2>&1); then
		fail "the examples built without libdios"
	fi
	echo "$out"
	grep -q "pkg-config finds no libdios" <<< "$out" ||
		fail "no word on the missing libdios"
	# The dios command runs; without the module it says so (exit 1).
	out=$("$root/usr/bin/dios" --help) || fail "dios --help: $out"
	grep -q "usage: dios" <<< "$out" || fail "dios --help: $out"
	rc=0
	out=$("$root/usr/bin/dios" lookup "$(printf '%064x' 1)" 2>&1) || rc=$?
	[[ $rc -eq 1 ]] || fail "dios lookup without the module: exit $rc: $out"
	grep -q "the dios module is not loaded" <<< "$out" ||
		fail "dios lookup: no -ENODEV explained: $out"
	make -C "$DIOS_ROOT" --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr
	[[ ! -e $root/usr/share/man/man3/dios_create.3.gz && ! -e $root/usr/share/man/man7/dios.7.gz ]] ||
		fail "make uninstall left the manual pages"
	[[ -z $(find "$root" -mindepth 1) ]] || {
		find "$root" -mindepth 1
		fail "make uninstall left files"
	}
}

# Hold both dpkg locks as apt and dpkg take them (fcntl), until killed.
hold_dpkg_lock() {
	python3 -c '
import fcntl, sys, time
fds = [open(p, "a") for p in ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock")]
for f in fds:
    fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(900)' > "$work/lock.out" &
	holder=$!
	for _ in $(seq 50); do
		grep -q held "$work/lock.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "could not take the dpkg lock"
}

dpkg_lock_free() {
	python3 -c '
import fcntl, sys
f = open("/var/lib/dpkg/lock-frontend", "a")
try:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(1)'
}

t_nolock() {
	local src=$work/nolock/src fake=$work/nolock/bin p
	copy_sources "$src"
	# apt and dpkg, should anything call them, only leave a trace.
	mkdir -p "$fake"
	for p in apt apt-get aptitude dpkg; do
		printf '#!/bin/sh\necho "%s $*" >> %s/calls\nexit 100\n' "$p" "$fake" > "$fake/$p"
		chmod +x "$fake/$p"
	done
	trap '[[ -z $holder ]] || kill "$holder"' EXIT
	hold_dpkg_lock
	! dpkg_lock_free || fail "the dpkg lock is not held"
	PATH=$fake:$PATH make -C "$src" --no-print-directory install \
		DESTDIR="$work/nolock/root"
	PATH=$fake:$PATH nice -n 10 make -C "$src" --no-print-directory -j2 vm-build
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	holder=
	[[ ! -e $fake/calls ]] || { cat "$fake/calls"; fail "apt or dpkg was called"; }
	# A package missing: the target says which and how to get it, and stops.
	local nopkg=$work/nolock/nopkg out
	mkdir -p "$nopkg"
	printf '#!/bin/sh
echo "dpkg-query: no packages found matching $*" >&2
exit 1
' \
		> "$nopkg/dpkg-query"
	chmod +x "$nopkg/dpkg-query"
	if out=$(PATH=$nopkg:$fake:$PATH make -C "$src" --no-print-directory install \
		DESTDIR="$work/nolock/root2" 2>&1); then
		fail "make install went on with its packages missing"
	fi
	echo "$out"
	grep -q "missing Debian packages: .*gcc-multilib" <<< "$out" &&
		grep -q "make deps" <<< "$out" || fail "no word on what is missing"
	[[ ! -e $work/nolock/root2 && ! -e $fake/calls ]] ||
		fail "make install did something with its packages missing"
	[[ -e $src/build/stock/kernel/dios.ko && -x $src/build/tests32/version_test ]] ||
		fail "vm-build built nothing"
}

for t in "$@"; do
	case $t in
	kbuild) run kbuild t_kbuild "plain M= build of kernel/ against the stock headers" ;;
	dkms) run dkms t_dkms "dkms add, build, install, remove in a private tree; host unchanged" ;;
	install)
		run install t_install "make install, modules_install (depmod), pkg-config 64/32, man pages, examples/, uninstall"
		for a in 64 32; do
			[[ ! -e $work/not-run$a ]] ||
				echo "ok host: run the $a-bit pkg-config program and examples # SKIP the host kernel cannot run $a-bit programs"
		done
		;;
	nolock) run nolock t_nolock "make install and make shell's build with the dpkg lock held, no apt" ;;
	*) die "unknown test $t" ;;
	esac
done
exit $status
