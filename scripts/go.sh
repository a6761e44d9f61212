#!/bin/bash
# The Go package (go/, docs/go.md): its build, its lint, and what the test
# VM runs of it.
#
#   go.sh build   build/go/dios.test (the package's tests, `go test -c`,
#                 run in the stock guest by scripts/guest-init.sh as
#                 `dios.test -tap`: one result line per Go test) and
#                 build/tools/dios-gobench (the Go rows of make bench)
#   go.sh lint    gofmt, go vet, and the layout of the Go mirror of the
#                 uapi header checked against the header by gcc
#                 (go/internal/uapi/cgen); one result line each
#   go.sh env     the environment the go command runs in, as shell
#                 assignments (eval "$(scripts/go.sh env)" to use go by hand)
#
# The go command is Debian's golang-go (scripts/deps.sh, group tests) and
# never touches the network or $HOME: no proxy, no checksum database, the
# module read-only (the package uses the standard library only), the build
# cache and GOPATH in $DIOS_CACHE/go. Binaries are static (CGO_ENABLED=0),
# x86_64 (the test guests run them).
set -euo pipefail
. "$(dirname "$0")/common.sh"

go_env() {
	cat <<-EOV
	export GOCACHE='$DIOS_CACHE/go/cache' GOPATH='$DIOS_CACHE/go/path'
	export GOMODCACHE='$DIOS_CACHE/go/path/pkg/mod' GOENV=off
	export GOFLAGS=-mod=readonly GOPROXY=off GOSUMDB=off GONOSUMDB= GOTOOLCHAIN=local
	export GO111MODULE=on CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTELEMETRY=off
	EOV
}
eval "$(go_env)"
command -v go >/dev/null || die "no go command: install golang-go (make deps)"
cd "$DIOS_ROOT/go"

# A program the guest can run: static, x86-64.
static_check() {
	if readelf -lW "$1" | grep 'program interpreter' >/dev/null; then
		die "$1 is dynamically linked"
	fi
}

case ${1:-} in
build)
	mkdir -p "$DIOS_BUILD/go" "$DIOS_BUILD/tools"
	go test -c -trimpath -o "$DIOS_BUILD/go/dios.test" .
	go build -trimpath -o "$DIOS_BUILD/tools/dios-gobench" ./cmd/dios-gobench
	static_check "$DIOS_BUILD/go/dios.test"
	static_check "$DIOS_BUILD/tools/dios-gobench"
	;;
lint)
	mkdir -p "$DIOS_LOGS"
	glog=$DIOS_LOGS/lint-go.log
	fail=0
	unformatted=$(gofmt -l . 2>&1)
	if [[ -z $unformatted ]]; then
		echo "ok lint: go: gofmt"
	else
		echo "$unformatted" >&2
		echo "not ok lint: go: gofmt ($(echo $unformatted))"
		fail=1
	fi
	if go vet ./... > "$glog" 2>&1; then
		echo "ok lint: go: go vet"
	else
		cat "$glog" >&2
		echo "not ok lint: go: go vet (see ${glog#"$DIOS_ROOT"/})"
		fail=1
	fi
	# The Go mirror of the uapi header against the header: cgen prints
	# static assertions of every size, offset, constant and ioctl number
	# (and fails for a struct or constant with no Go mirror), gcc checks
	# them for x86_64.
	layout=$DIOS_BUILD/go/layout.c
	mkdir -p "${layout%/*}"
	if go run ./internal/uapi/cgen "$DIOS_ROOT/uapi/linux/dios.h" \
		> "$layout" 2>> "$glog" &&
		gcc -m64 -std=gnu11 -Wall -Wextra -Werror -I"$DIOS_ROOT/uapi" \
			-fsyntax-only "$layout" >> "$glog" 2>&1; then
		echo "ok lint: go: uapi layout ($(grep -c _Static_assert "$layout") assertions, x86_64)"
	else
		cat "$glog" >&2
		echo "not ok lint: go: uapi layout (see ${glog#"$DIOS_ROOT"/})"
		fail=1
	fi
	exit $fail
	;;
env)
	go_env
	;;
*)
	die "usage: go.sh build|lint|env"
	;;
esac
