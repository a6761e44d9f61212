#!/bin/bash
# Extract what the build needs from Debian's linux-source tarball into the
# cache (never into the repo), keyed by the source package version.
#
#   ksrc.sh partial  -> $DIOS_CACHE/ksrc-<ver>/{selftests,scripts}: the
#                       kselftest harness headers and checkpatch; prints the dir
#   ksrc.sh full     -> $DIOS_CACHE/linux-<ver>: the whole tree, for the debug
#                       guest kernel; prints the dir
set -euo pipefail
. "$(dirname "$0")/common.sh"

mode=${1:-partial}
[[ -r $LINUX_SRC_TARBALL ]] || die "$LINUX_SRC_TARBALL missing (run make deps)"
top=$LINUX_SRC_PKG   # top directory inside the tarball
lock_cache "ksrc-$mode"

case $mode in
partial)
	dir=$(ksrc_dir)
	if [[ ! -e $dir/.done ]]; then
		log "extracting kselftest headers and checkpatch from $LINUX_SRC_TARBALL"
		tmp=$(mktemp -d "$DIOS_CACHE/.ksrc.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		tar -xJf "$LINUX_SRC_TARBALL" -C "$tmp" \
			"$top/tools/testing/selftests/kselftest.h" \
			"$top/tools/testing/selftests/kselftest_harness.h" \
			"$top/scripts/checkpatch.pl" \
			"$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch"
		rm -rf "$dir"
		mkdir -p "$dir/selftests" "$dir/scripts"
		mv "$tmp/$top"/tools/testing/selftests/kselftest*.h "$dir/selftests/"
		mv "$tmp/$top"/scripts/* "$dir/scripts/"
		touch "$dir/.done"
	fi
	;;
full)
	dir=$(linux_tree_dir)
	if [[ ! -e $dir/.done ]]; then
		log "extracting the full kernel tree from $LINUX_SRC_TARBALL"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$LINUX_SRC_TARBALL" -C "$dir.tmp"
		mv "$dir.tmp/$top" "$dir"
		rmdir "$dir.tmp"
		touch "$dir/.done"
	fi
	;;
*)
	die "usage: $0 partial|full"
	;;
esac
echo "$dir"
