#!/bin/bash
# Lint the kernel side; print one result line per check:
#   checkpatch.pl --strict from the 6.1 source over every file in kernel/
#   and uapi/ (no --ignore: nothing is excused for being out of tree, but
#   the version tests of kernel/compat.h, which exist for that reason, and
#   the TRACE_EVENT layout of kernel/trace.h),
#   and a build with sparse (C=2) and W=1 against the stock headers, failing
#   on any warning or error, the uapi layout check (uapi-layout.c) for
#   four ABIs, the Rust crate's view of the same ABI (scripts/rust.sh
#   lint), and the manual pages (scripts/man-check.sh: mandoc, a page
#   for every symbol of libdios.map, errors, examples), with a check that
#   the page check fails for a symbol without a page. Details go to
#   build/logs/lint-*.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$DIOS_LOGS"
ksrc=$("$DIOS_ROOT/scripts/ksrc.sh" partial)
fail=0

# ---- checkpatch ----
# uapi/linux/dios.h is checked at the path it has in a kernel tree,
# include/uapi/linux/dios.h, so that checkpatch applies its uapi rules (no
# BIT(), C99 types allowed...) exactly as upstream; kernel/ as it is.
plog=$DIOS_LOGS/lint-checkpatch.log
: > "$plog"
cptree=$DIOS_BUILD/lint-checkpatch
rm -rf "$cptree"
mkdir -p "$cptree/include"
rsync -a "$DIOS_ROOT/kernel" "$cptree/"
rsync -a "$DIOS_ROOT/uapi/" "$cptree/include/uapi/"
mapfile -t files < <(cd "$cptree" && find kernel include -type f | sort)
bad=()
for f in "${files[@]}"; do
	# kernel/compat.h holds the module's kernel-version tests: the one
	# warning about LINUX_VERSION_CODE is excused there, nowhere else.
	ignore=()
	[[ $f != kernel/compat.h ]] || ignore=(--ignore LINUX_VERSION_CODE)
	# kernel/trace.h is laid out as include/trace/events/*.h are: each
	# TRACE_EVENT part (TP_STRUCT__entry( ...) opens a line of its own.
	[[ $f != kernel/trace.h ]] ||
		ignore=(--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT)
	if ! (cd "$cptree" && perl "$ksrc/scripts/checkpatch.pl" --strict \
		--no-tree --no-summary --terse --show-types "${ignore[@]}" \
		-f "$f") >> "$plog" 2>&1; then
		bad+=("${f#include/}")
	fi
done
if [[ ${#files[@]} -eq 0 ]]; then
	echo "not ok lint: checkpatch (no files in kernel/ or uapi/)"
	fail=1
elif [[ ${#bad[@]} -eq 0 ]]; then
	echo "ok lint: checkpatch (${#files[@]} files)"
else
	cat "$plog" >&2
	echo "not ok lint: checkpatch (${bad[*]})"
	fail=1
fi

# ---- sparse + W=1 ----
kdir=${KDIR:-/lib/modules/$(stock_kernel_release)/build}
lint=$DIOS_BUILD/lint
rm -rf "$lint"
mkdir -p "$lint"
rsync -a "$DIOS_ROOT/kernel/" "$lint/kernel/"
rsync -a "$DIOS_ROOT/uapi/" "$lint/uapi/"
blog=$DIOS_LOGS/lint-build.log
status=0
make -C "$kdir" M="$lint/kernel" CONFIG_DIOS=m C=2 W=1 modules > "$blog" 2>&1 || status=$?
if [[ $status -eq 0 ]] && ! grep -qiE 'warning:|error:' "$blog"; then
	echo "ok lint: sparse (C=2) and W=1 build"
else
	grep -iE -A3 'warning:|error:' "$blog" >&2 || tail -n 20 "$blog" >&2
	echo "not ok lint: sparse (C=2) and W=1 build (see $blog)"
	fail=1
fi
# ---- uapi layout ----
# scripts/uapi-layout.c asserts the size and offset of every field of every
# struct of the uapi header; compiled for each ABI, with the native gcc
# (-m64, -m32) and the cross compilers (scripts/cross.sh). Each struct of
# the header must have its row in the table.
llog=$DIOS_LOGS/lint-layout.log
: > "$llog"
layout=$DIOS_ROOT/scripts/uapi-layout.c
bad=()
mapfile -t structs < <(sed -n 's/^struct \(dios_[a-z0-9_]*\) {.*/\1/p' "$DIOS_ROOT/uapi/linux/dios.h")
for st in "${structs[@]}"; do
	grep -q "S($st, " "$layout" || bad+=("struct $st has no row")
done
for abi in x86_64:-m64 i386:-m32 aarch64-linux-gnu arm-linux-gnueabihf; do
	name=${abi%%:*}
	if [[ $abi == *:* ]]; then
		cc=(gcc "${abi#*:}")
	else
		cc=("$("$DIOS_ROOT/scripts/cross.sh" gcc "$name" 2>>"$llog")/$name-gcc") ||
			{ bad+=("no $name compiler"); continue; }
	fi
	"${cc[@]}" -std=gnu11 -Wall -Wextra -Werror -I"$DIOS_ROOT/uapi" \
		-fsyntax-only "$layout" >> "$llog" 2>&1 || bad+=("$name")
done
if [[ ${#structs[@]} -gt 0 && ${#bad[@]} -eq 0 ]]; then
	echo "ok lint: uapi layout (${#structs[@]} structs; x86_64 i386 aarch64 armhf)"
else
	cat "$llog" >&2
	echo "not ok lint: uapi layout (${bad[*]:-no structs found})"
	fail=1
fi
# ---- the Go package: gofmt, go vet, its mirror of the uapi header ----
"$DIOS_ROOT/scripts/go.sh" lint || fail=1
# ---- the Rust crate's view of the ABI (scripts/rust.sh) ----
"$DIOS_ROOT/scripts/rust.sh" lint || fail=1
# ---- manual pages ----
"$DIOS_ROOT/scripts/man-check.sh" || fail=1
# The check itself: a symbol added to a copy of the version script, with
# no page, must fail it by name.
mlog=$DIOS_LOGS/lint-man-selftest.log
mtree=$DIOS_BUILD/lint-man
rm -rf "$mtree"
mkdir -p "$mtree"
cp -r "$DIOS_ROOT/man" "$DIOS_ROOT/userlib" "$DIOS_ROOT/uapi" "$mtree/"
sed -i 's/^\(\t*\)dios_version;$/&\n\1dios_lint_no_page;/' "$mtree/userlib/libdios.map"
echo 'int dios_lint_no_page(void);' >> "$mtree/userlib/dios.h"
if grep -q dios_lint_no_page "$mtree/userlib/libdios.map" &&
	! "$DIOS_ROOT/scripts/man-check.sh" "$mtree" > "$mlog" 2>&1 &&
	grep -q 'dios_lint_no_page: no man/man3/dios_lint_no_page.3' "$mlog"; then
	echo "ok lint: man pages: the check fails for a symbol without a page"
else
	cat "$mlog" >&2
	echo "not ok lint: man pages: a symbol without a page passed the check (see $mlog)"
	fail=1
fi
exit $fail
