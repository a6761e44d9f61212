#!/bin/bash
# Install and uninstall dios; behind `make install`, `make modules_install`
# and `make uninstall`, which pass every variable used below.
#
#   install.sh install          libdios 64- and 32-bit (multiarch library
#                               directories), headers, pkg-config files,
#                               the dios command, the udev rule, the
#                               sysusers.d entry, docs, the manual pages
#                               of man/
#   install.sh modules_install  dios.ko under /lib/modules/<release>/updates,
#                               then depmod
#   install.sh uninstall        undo both, exactly
#
# Every path an install creates (file, symbolic link, directory) and the
# dios group, if it creates it, go into a manifest in $DATADIR/dios/.
# Uninstall removes what the manifests list and nothing else: files and
# links first, then directories deepest first (a directory that existed
# before the install is not listed; one that still holds someone else's
# files stays), then the group. The module index files that depmod creates
# in a module tree that had none are listed too; ones it only rewrote are
# rewritten again, without dios, by the uninstall's depmod.
#
# DESTDIR: a staging root (packaging, the tests). Without it the install is
# live and also creates the group, runs ldconfig and reloads udev's rules
# where udev runs. Nothing here runs a package manager.
set -euo pipefail
. "$(dirname "$0")/common.sh"

action=${1:?usage: install.sh install|modules_install|uninstall}
: "${DESTDIR:=}"
: "${PREFIX:?}" "${BINDIR:?}" "${LIBDIR:?}" "${LIBDIR32:?}" "${INCLUDEDIR:?}" "${DATADIR:?}"
: "${UDEVRULESDIR:?}" "${SYSUSERSDIR:?}"
MODULESDIR=/lib/modules
: "${DIOS_GROUP:=dios}" "${DIOS_MODE:=0660}"

lib_manifest=$DATADIR/dios/install.manifest
mod_manifest=$DATADIR/dios/modules.manifest

# Entries of the manifest being written: "f|l|d PATH" ($DESTDIR-relative)
# or "g GROUP".
entries=()

# mkdir -p that records each directory it creates.
mkdirs() {
	local d=$1 p parts=()
	while [[ $d != / && ! -d $DESTDIR$d ]]; do
		parts=("$d" "${parts[@]}")
		d=$(dirname "$d")
	done
	for p in "${parts[@]}"; do
		mkdir "$DESTDIR$p"
		entries+=("d $p")
	done
}

# put MODE SRC DEST: install one file.
put() {
	mkdirs "$(dirname "$3")"
	install -m "$1" "$2" "$DESTDIR$3"
	entries+=("f $3")
}

# link TARGET DEST: a symbolic link.
link() {
	mkdirs "$(dirname "$2")"
	ln -sfn "$1" "$DESTDIR$2"
	entries+=("l $2")
}

# subst SRC DEST MODE: a file from a template with @VAR@ replaced.
subst() {
	local tmp
	tmp=$(mktemp)
	sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@INCLUDEDIR@|$INCLUDEDIR|g" \
		-e "s|@VERSION@|$LIBDIOS_VERSION|g" -e "s|@LIBDIR@|$4|g" \
		-e "s|@GROUP@|$DIOS_GROUP|g" -e "s|@MODE@|$DIOS_MODE|g" \
		"$1" > "$tmp"
	put "$3" "$tmp" "$2"
	rm -f "$tmp"
}

# Write the manifest: the entries of an earlier install that this one did
# not repeat, then this one's, each once.
save() {
	local m=$1 old=()
	[[ ! -e $DESTDIR$m ]] || mapfile -t old < "$DESTDIR$m"
	mkdirs "$(dirname "$m")"
	printf '%s\n' "${old[@]}" "${entries[@]}" | awk 'NF && !seen[$0]++' \
		> "$DESTDIR$m"
}

# ---- install --------------------------------------------------------------

install_libs() {
	local a dir so=libdios.so.$LIBDIOS_VERSION
	for a in 64 32; do
		dir=$LIBDIR
		[[ $a == 64 ]] || dir=$LIBDIR32
		[[ -e $DIOS_BUILD/lib$a/$so ]] || die "$DIOS_BUILD/lib$a/$so not built"
		put 644 "$DIOS_BUILD/lib$a/libdios.a" "$dir/libdios.a"
		put 755 "$DIOS_BUILD/lib$a/$so" "$dir/$so"
		link "$so" "$dir/libdios.so.$LIBDIOS_MAJOR"
		link "libdios.so.$LIBDIOS_MAJOR" "$dir/libdios.so"
		subst "$DIOS_ROOT/scripts/libdios.pc.in" "$dir/pkgconfig/libdios.pc" 644 "$dir"
	done
	put 644 "$DIOS_ROOT/userlib/dios.h" "$INCLUDEDIR/dios.h"
	put 644 "$DIOS_ROOT/uapi/linux/dios.h" "$INCLUDEDIR/linux/dios.h"
}

# The dios command (tools/dios.c), linked statically with libdios.
install_tools() {
	[[ -e $DIOS_BUILD/tools/dios ]] || die "$DIOS_BUILD/tools/dios not built"
	put 755 "$DIOS_BUILD/tools/dios" "$BINDIR/dios"
}

install_policy() {
	[[ $DIOS_MODE =~ ^0[0-7]{3}$ ]] || die "DIOS_MODE=$DIOS_MODE: want an octal mode such as 0660"
	subst "$DIOS_ROOT/udev/70-dios.rules.in" "$UDEVRULESDIR/70-dios.rules" 644 ""
	subst "$DIOS_ROOT/udev/dios.sysusers.in" "$SYSUSERSDIR/dios.conf" 644 ""
	[[ -z $DESTDIR ]] || return 0
	if ! getent group "$DIOS_GROUP" > /dev/null; then
		groupadd --system "$DIOS_GROUP"
		entries+=("g $DIOS_GROUP")
		log "created the system group $DIOS_GROUP"
	fi
}

install_docs() {
	local f doc=$DATADIR/doc/dios
	for f in README.md CHANGELOG.md LICENSE docs/*.md LICENSES/*/* examples/*; do
		put 644 "$DIOS_ROOT/$f" "$doc/$f"
	done
}

# Every page of man/man[1-8]/, into $DATADIR/man, compressed as Debian's
# are (gzip -9n: no name, no time stamp, so a page always gives the same
# file). A stub (`.so manN/PAGE.N`) becomes a symbolic link to its page,
# as dh_installman makes it.
install_man() {
	local f sec name target tmp
	tmp=$(mktemp -d)
	for f in "$DIOS_ROOT"/man/man[1-8]/*.[1-8]; do
		[[ -e $f ]] || continue
		sec=${f##*.} name=${f##*/}
		target=$(man_stub_target "$f")
		if [[ -z $target ]]; then
			gzip -9n -c "$f" > "$tmp/$name.gz"
			put 644 "$tmp/$name.gz" "$DATADIR/man/man$sec/$name.gz"
		elif [[ ${target%%/*} == "man$sec" ]]; then
			link "${target#*/}.gz" "$DATADIR/man/man$sec/$name.gz"
		else
			link "../$target.gz" "$DATADIR/man/man$sec/$name.gz"
		fi
	done
	rm -rf "$tmp"
}

live_refresh() {
	[[ -z $DESTDIR ]] || return 0
	if command -v ldconfig > /dev/null; then ldconfig || true; fi
	if command -v udevadm > /dev/null && [[ -e /run/udev/control ]]; then
		udevadm control --reload || true
		udevadm trigger --subsystem-match=misc --sysname-match=dios || true
	fi
}

# ---- modules --------------------------------------------------------------

depmod_run() {
	local base=()
	[[ -z $DESTDIR ]] || base=(-b "$DESTDIR")
	# A staging root has no modules.builtin*, modules.order: depmod says so.
	depmod "${base[@]}" -a "$1" 2> >(grep -v 'could not open modules\.\(builtin\|order\)' >&2)
}

modules_install() {
	local ko=$DIOS_BUILD/stock/kernel/dios.ko rel f before
	[[ -e $ko ]] || die "$ko not built"
	# The release the module was built for (KDIR's), from its vermagic.
	rel=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[[ -n $rel ]] || die "no vermagic in $ko"
	local dir=$MODULESDIR/$rel
	put 644 "$ko" "$dir/updates/dios.ko"
	# Index files depmod will create, not merely rewrite, are ours.
	before=$(ls "$DESTDIR$dir" 2>/dev/null || true)
	depmod_run "$rel"
	for f in "$DESTDIR$dir"/modules.*; do
		grep -qxF "${f##*/}" <<< "$before" || entries+=("f $dir/${f##*/}")
	done
	log "installed $dir/updates/dios.ko and ran depmod $rel"
	[[ -n $DESTDIR ]] ||
		log "/dev/dios appears (and loads the module on first open) from the next boot, or at once after: systemctl restart kmod-static-nodes systemd-tmpfiles-setup-dev"
}

# ---- uninstall ------------------------------------------------------------

uninstall() {
	local m e kind path lines=() rels=() r
	for m in "$mod_manifest" "$lib_manifest"; do
		[[ -e $DESTDIR$m ]] || continue
		mapfile -t -O "${#lines[@]}" lines < "$DESTDIR$m"
		rm -f "$DESTDIR$m"
	done
	[[ ${#lines[@]} -gt 0 ]] || { log "nothing installed (no manifest in $DESTDIR$DATADIR/dios)"; return 0; }
	for e in "${lines[@]}"; do
		kind=${e%% *} path=${e#* }
		case $kind in
		f | l)
			rm -f "$DESTDIR$path"
			[[ $path != */updates/dios.ko ]] || rels+=("$(basename "$(dirname "$(dirname "$path")")")")
			;;
		esac
	done
	# The module trees that keep an index: rewrite it without dios.
	for r in "${rels[@]}"; do
		[[ ! -e $DESTDIR$MODULESDIR/$r/modules.dep ]] || depmod_run "$r"
	done
	# Directories, deepest first; rmdir keeps those still in use.
	printf '%s\n' "${lines[@]}" | sed -n 's/^d //p' | awk '{ print gsub("/", "/"), $0 }' |
		sort -rn | cut -d' ' -f2- | while read -r path; do
			rmdir "$DESTDIR$path" 2>/dev/null ||
				log "kept $DESTDIR$path: not empty"
		done
	for e in "${lines[@]}"; do
		[[ $e == "g "* ]] || continue
		groupdel "${e#g }" && log "removed the group ${e#g }"
	done
	live_refresh
}

# The staging root itself is the caller's, not ours.
[[ -z $DESTDIR || $action == uninstall ]] || mkdir -p "$DESTDIR"

case $action in
install)
	install_libs
	install_tools
	install_policy
	install_docs
	install_man
	save "$lib_manifest"
	live_refresh
	;;
modules_install)
	modules_install
	save "$mod_manifest"
	;;
uninstall)
	uninstall
	;;
*)
	die "unknown action $action"
	;;
esac
