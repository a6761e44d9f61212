#!/bin/bash
# The DKMS source tree of dios, and dkms run on it.
#
#   dkms.sh stage DIR                   make DIR the DKMS source tree:
#                                       dkms.conf, kernel/, uapi/, licences
#   dkms.sh install DIR RELEASE [OPT]   dkms add DIR, then build and install
#                                       for kernel RELEASE
#   dkms.sh remove VERSION [OPT]        dkms remove dios/VERSION for every
#                                       kernel, and its source tree
#
# OPT: more dkms options, e.g. --dkmstree, --sourcetree, --installtree and
# --no-depmod for a private DKMS tree (the test of scripts/check-host.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"

cmd=${1:?usage: dkms.sh stage|install|remove ...}
shift

stage() {
	local dir=$1 version
	version=$("$DIOS_ROOT/scripts/version.sh")
	grep -qx "PACKAGE_VERSION=\"$version\"" "$DIOS_ROOT/dkms.conf" ||
		die "dkms.conf: PACKAGE_VERSION is not the release $version (scripts/version.sh)"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$DIOS_ROOT/dkms.conf" "$DIOS_ROOT/LICENSE" "$dir/"
	cp -r "$DIOS_ROOT/LICENSES" "$dir/"
	# The sources only, never Kbuild outputs of an in-place build.
	mkdir -p "$dir/kernel"
	cp "$DIOS_ROOT"/kernel/{Kbuild,*.c,*.h} "$dir/kernel/"
	cp -r "$DIOS_ROOT/uapi" "$dir/"
	log "DKMS source tree: $dir"
}

case $cmd in
stage)
	stage "${1:?usage: dkms.sh stage DIR}"
	;;
install)
	dir=${1:?usage: dkms.sh install DIR RELEASE [OPT...]}
	rel=${2:?usage: dkms.sh install DIR RELEASE [OPT...]}
	shift 2
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$dir/dkms.conf")
	dkms add "$@" "$dir"
	dkms build "$@" "dios/$version" -k "$rel"
	dkms install "$@" "dios/$version" -k "$rel"
	;;
remove)
	version=${1:?usage: dkms.sh remove VERSION [OPT...]}
	shift
	src=/usr/src
	for ((i = 1; i <= $#; i++)); do
		[[ ${!i} != --sourcetree ]] || { j=$((i + 1)); src=${!j}; }
	done
	dkms remove "$@" "dios/$version" --all
	rm -rf "${src:?}/dios-$version"
	;;
*)
	die "unknown command $cmd"
	;;
esac
