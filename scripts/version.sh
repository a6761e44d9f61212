#!/bin/bash
# Print the dios release, MAJOR.MINOR.PATCH: the ABI version of
# uapi/linux/dios.h and the patch level of kernel/main.h (docs/releasing.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
abi() { sed -n "s/^#define DIOS_ABI_$1[[:space:]]*\([0-9]*\).*/\1/p" "$root/uapi/linux/dios.h"; }
patch=$(sed -n 's/^#define DIOS_RELEASE_PATCH[[:space:]]*\([0-9]*\).*/\1/p' "$root/kernel/main.h")
major=$(abi MAJOR) minor=$(abi MINOR)
[[ -n $major && -n $minor && -n $patch ]] || { echo "version.sh: cannot read the version" >&2; exit 1; }
echo "$major.$minor.$patch"
