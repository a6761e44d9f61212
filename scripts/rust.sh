#!/bin/bash
# The Rust crate (rust/, docs/rust.md) in the build and the test VM:
#
#   rust.sh build        cargo test --no-run: the crate's tests, the task
#                        helper and the seed programs, static (crt-static),
#                        x86_64, into build/rust/guest/ (the VM's /rust)
#                        and build/rust/demo/ (its /demo, for make bench)
#   rust.sh stage ROOT   copy them into the initramfs tree ROOT (vm.sh)
#   rust.sh lint         the crate's view of the ABI against the C
#                        compiler's (every struct field's offset and size,
#                        every ioctl number of uapi/linux/dios.h): one
#                        result line
#
# cargo is the one on PATH (Debian's, which make deps installs when there
# is none, or a newer one), or DIOS_CARGO; its own rustc beside it. It
# never touches the network: a private CARGO_HOME under build/, --offline
# and --locked (the crate has no dependency), the target directory under
# build/.  In the VM, scripts/rust-guest.sh (staged as /rust/run.sh) runs
# each test in a process of its own, one result line per test:
# `ok stock/rust/<binary>/<test>`.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$DIOS_BUILD/rust
triple=x86_64-unknown-linux-gnu

cargo_setup() {
	cargo=${DIOS_CARGO:-$(command -v cargo || true)}
	[[ -n $cargo && -x $cargo ]] ||
		die "no cargo on PATH: make deps installs Debian's rustc and cargo"
	# The compiler of the same toolchain (rustup's proxy, or /usr/bin's).
	if [[ -z ${RUSTC:-} && -x $(dirname "$cargo")/rustc ]]; then
		export RUSTC
		RUSTC=$(dirname "$cargo")/rustc
	fi
	export CARGO_HOME=$out/cargo-home CARGO_TARGET_DIR=$out/target
	export CARGO_NET_OFFLINE=true
	# Static: the guest has no dynamic loader and no libraries.  Not
	# position-independent, as gcc -static links the C programs: a
	# static-pie relocates itself at every start, which the seed programs,
	# a process per task, would pay hundreds of times per run.
	export RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static"
	mkdir -p "$CARGO_HOME"
}

# cargo with the flags every call takes.
run_cargo() {
	"$cargo" "$@" --offline --locked --release --target "$triple" \
		--manifest-path "$DIOS_ROOT/rust/Cargo.toml"
}

# The artifacts of a cargo --message-format=json run, as "KIND NAME PATH"
# (KIND: lib for the unit tests, test, example).
artifacts() {
	sed -nE 's/^\{"reason":"compiler-artifact".*"target":\{"kind":\["([a-z-]+)"\][^}]*"name":"([^"]+)".*"executable":"([^"]+)".*/\1 \2 \3/p'
}

build() {
	local json kind name path n=0
	cargo_setup
	json=$out/build.json
	mkdir -p "$out"
	# Diagnostics on stderr as usual, the artifacts as JSON on stdout.
	run_cargo test --no-run --message-format=json-render-diagnostics \
		> "$json" || die "cargo build of rust/ failed"
	rm -rf "$out/guest" "$out/demo"
	mkdir -p "$out/guest/tests" "$out/guest/examples" "$out/demo"
	while read -r kind name path; do
		case $kind in
		lib | test) cp "$path" "$out/guest/tests/$name" ;;
		example)
			case $name in
			seed_*) cp "$path" "$out/demo/rust-${name//_/-}" ;;
			abi_layout) ;; # run on the host by lint
			*) cp "$path" "$out/guest/examples/$name" ;;
			esac
			;;
		esac
		n=$((n + 1))
	done < <(artifacts < "$json")
	[[ -x $out/guest/examples/task_child && -x $out/guest/tests/dios ]] ||
		die "cargo built no tests ($n artifacts in $json)"
	# Static, or the guest cannot run them.
	if readelf -lW "$out"/guest/tests/* | grep 'program interpreter' >/dev/null; then
		die "rust tests are not static"
	fi
	install -m 644 "$DIOS_ROOT/scripts/rust-guest.sh" "$out/guest/run.sh"
	log "rust: $n programs ($("$cargo" --version))"
}

stage() {
	local root=${1:?usage: rust.sh stage ROOT}
	[[ -f $out/guest/run.sh ]] || die "rust/ is not built (make build)"
	mkdir -p "$root/rust" "$root/demo"
	cp -r "$out/guest/." "$root/rust/"
	find "$out/demo" -maxdepth 1 -type f -exec cp {} "$root/demo/" \;
}

lint() {
	local tmp rust c
	tmp=$out/lint
	mkdir -p "$tmp"
	if ! (cargo_setup && run_cargo build --example abi_layout) > "$tmp/build.log" 2>&1; then
		cat "$tmp/build.log" >&2
		echo "not ok lint: rust: build (see ${tmp#"$DIOS_ROOT"/}/build.log)"
		return 1
	fi
	rust=$out/target/$triple/release/examples/abi_layout
	# The C side: uapi-layout.c's table of every struct and field, printed
	# with the compiler's offsets and sizes, and each ioctl of the header.
	{
		echo '#include <stdio.h>'
		echo '#include "uapi-layout.c"'
		echo '#define P_S(s, size) printf(#s " 0 %zu\n", sizeof(struct s));'
		echo '#define P_F(s, f, off, size) printf(#s "." #f " %zu %zu\n", offsetof(struct s, f), sizeof(((struct s *)0)->f));'
		echo 'int main(void)'
		echo '{'
		echo '	DIOS_UAPI_LAYOUT(P_S, P_F)'
		sed -n 's/^#define \(DIOS_IOC_[A-Z_]*\)[[:space:]]*_IO.*/\t printf("\1 %#lx\\n", (unsigned long)\1);/p' \
			"$DIOS_ROOT/uapi/linux/dios.h"
		echo '	return 0;'
		echo '}'
	} > "$tmp/layout.c"
	c=$tmp/layout
	gcc -std=gnu11 -Wall -Werror -I"$DIOS_ROOT/scripts" -I"$DIOS_ROOT/uapi" \
		-o "$c" "$tmp/layout.c" 2> "$tmp/cc.log" || {
		cat "$tmp/cc.log" >&2
		echo "not ok lint: rust: ABI layout (the C side does not build)"
		return 1
	}
	"$c" | sort > "$tmp/c.txt"
	"$rust" | sort > "$tmp/rust.txt"
	if diff -u "$tmp/c.txt" "$tmp/rust.txt" > "$tmp/diff.txt"; then
		echo "ok lint: rust: ABI layout ($(wc -l < "$tmp/c.txt") structs, fields and ioctls as in uapi/linux/dios.h)"
	else
		cat "$tmp/diff.txt" >&2
		echo "not ok lint: rust: ABI layout differs from uapi/linux/dios.h (- C, + Rust)"
		return 1
	fi
}

case ${1:-} in
build) build ;;
stage) stage "${2:-}" ;;
lint) lint ;;
*) die "usage: rust.sh build|stage ROOT|lint" ;;
esac
