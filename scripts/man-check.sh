#!/bin/bash
# Check the manual pages in man/ (make lint); one result line per check:
#
#   man-check.sh [ROOT]    ROOT: a tree with man/, userlib/ and uapi/
#                          (default: this repository)
#
#   mandoc     every page man/man[1-8]/*.[1-8] passes `mandoc -T lint
#              -W warning` with nothing to say; a stub (one line `.so
#              manN/PAGE.N`, which install turns into a symbolic link) names
#              a page that exists
#   symbols    every global symbol of userlib/libdios.map has
#              man/man3/SYMBOL.3 (a page or a stub), whose page names it in
#              NAME and declares it in SYNOPSIS exactly as userlib/dios.h
#              does; every man3 page has NAME, SYNOPSIS, DESCRIPTION,
#              RETURN VALUE, ERRORS and SEE ALSO
#   references every reference to a dios page (.BR dios_xxx (3)) resolves
#   errors     every error a man3 page lists is one dios_strerror() explains
#              (userlib/strerror.c), and dios.7 lists exactly those
#   examples   the C program of each EXAMPLES section of sections 3 and 7
#              (section 1's are shell), as rendered, compiles
#              (gcc -fsyntax-only -Wall -Wextra -Werror) against the headers
#
# Exit status 1 if any check fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

root=${1:-$DIOS_ROOT}
man=$root/man
map=$root/userlib/libdios.map
header=$root/userlib/dios.h
fail=0

result() {
	local name=$1
	shift
	if [[ $# -eq 0 ]]; then
		echo "ok lint: man pages: $name"
	else
		printf '  %s\n' "$@" >&2
		echo "not ok lint: man pages: $name (problems: $#)"
		fail=1
	fi
}

shopt -s nullglob
pages=("$man"/man[1-8]/*.[1-8])
[[ ${#pages[@]} -gt 0 ]] || { echo "not ok lint: man pages (none in $man)"; exit 1; }

# Section $2 of page $1 as rendered, in plain text, one line each.
section() {
	mandoc -T ascii -O width=300 "$1" | sed 's/.\x08//g' |
		awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on'
}

# Section $2 of page $1, rendered and joined on one line, spaces squeezed.
flat() {
	section "$1" "$2" | tr -s ' \t\n' '   ' | sed 's/( /(/g; s/ )/)/g; s/^ //; s/ $//'
}

# ---- mandoc -------------------------------------------------------------
bad=()
nstubs=0
for p in "${pages[@]}"; do
	rel=${p#"$man"/}
	t=$(man_stub_target "$p")
	if [[ -n $t ]]; then
		nstubs=$((nstubs + 1))
		[[ -f $man/$t && -z $(man_stub_target "$man/$t") ]] ||
			bad+=("$rel: .so $t: no such page")
		continue
	fi
	if ! out=$(mandoc -T lint -W warning "$p" 2>&1) || [[ -n $out ]]; then
		bad+=("$rel: ${out:-mandoc failed}")
	fi
done
result "mandoc -T lint -W warning ($((${#pages[@]} - nstubs)) pages, $nstubs .so links)" "${bad[@]}"

# ---- symbols ------------------------------------------------------------
# The global symbols of the version script.
mapfile -t symbols < <(awk '/global:/ { g = 1; next } /local:|}/ { g = 0 }
	g && /;/ { gsub(/[ \t;]/, ""); print }' "$map" | sort -u)

# The declaration of $1 in dios.h, on one line: from the start of the line
# that names it (outside comments) to the semicolon.
declaration() {
	awk -v s="$1" '
		!on && $0 !~ /^[ \t]*(\*|\/\*)/ && index($0, s "(") {
			on = 1; d = ""
		}
		on { d = d " " $0; if ($0 ~ /;/) { print d; exit } }' "$header" |
		tr -s ' \t' '  ' | sed 's/( /(/g; s/ )/)/g; s/^ //; s/ $//'
}

bad=()
[[ ${#symbols[@]} -gt 0 ]] || bad+=("no global symbols found in $map")
for s in "${symbols[@]}"; do
	p=$man/man3/$s.3
	if [[ ! -f $p ]]; then
		bad+=("$s: no man/man3/$s.3 (a page, or a .so link to one)")
		continue
	fi
	t=$(man_stub_target "$p")
	[[ -z $t ]] || p=$man/$t
	[[ -f $p ]] || continue		# reported above
	d=$(declaration "$s")
	if [[ -z $d ]]; then
		bad+=("$s: not declared in userlib/dios.h")
		continue
	fi
	grep -qw -- "$s" <<< "$(flat "$p" NAME)" ||
		bad+=("$s: ${p#"$man"/} does not name it in NAME")
	[[ $(flat "$p" SYNOPSIS) == *"$d"* ]] ||
		bad+=("$s: the SYNOPSIS of ${p#"$man"/} lacks: $d")
done
for p in "$man"/man3/*.3; do
	[[ -z $(man_stub_target "$p") ]] || continue
	for sec in NAME SYNOPSIS DESCRIPTION 'RETURN VALUE' ERRORS 'SEE ALSO'; do
		grep -Eq "^\.SH \"?$sec\"?\$" "$p" || bad+=("${p#"$man"/}: no $sec section")
	done
done
result "every symbol of libdios.map (${#symbols[@]}) has its page and prototype" "${bad[@]}"

# ---- references ---------------------------------------------------------
bad=()
while IFS=: read -r file ref; do
	name=${ref% *} sec=${ref##*(} sec=${sec%%)*}
	[[ -f $man/man$sec/$name.$sec ]] || bad+=("${file#"$man"/}: $name($sec): no such page")
done < <(grep -Eo '^\.[BI]R dios[a-z0-9_]* \([1-8]\)' "${pages[@]}" |
	sed 's/:\.[BI]R /:/' | sort -u)
result "references to dios pages resolve" "${bad[@]}"

# ---- errors -------------------------------------------------------------
# The errno names listed (.TP, then .B EXXX) in the ERRORS section of $1.
listed_errors() {
	awk '/^\.SH/ { on = ($0 ~ /^\.SH ERRORS/); next }
		on && /^\.B E[A-Z0-9]+$/ { print $2 }' "$1" | sort -u
}
mapfile -t explained < <(sed -n 's/^[ \t]*{ \(E[A-Z0-9]*\), ".*/\1/p' \
	"$root/userlib/strerror.c" | sort -u)
bad=()
[[ ${#explained[@]} -gt 0 ]] || bad+=("no errors found in userlib/strerror.c")
for p in "$man"/man3/*.3; do
	while read -r e; do
		[[ -z $e || " ${explained[*]} " == *" $e "* ]] ||
			bad+=("${p#"$man"/}: $e is not explained by dios_strerror()")
	done < <(listed_errors "$p")
done
if [[ -f $man/man7/dios.7 ]]; then
	d7=$(listed_errors "$man/man7/dios.7")
	[[ $d7 == "$(printf '%s\n' "${explained[@]}")" ]] ||
		bad+=("man7/dios.7: its ERRORS are not those of userlib/strerror.c: $(diff <(echo "$d7") <(printf '%s\n' "${explained[@]}") | grep '^[<>]' | tr '\n' ' ')")
else
	bad+=("no man7/dios.7")
fi
result "errors match dios_strerror() (${#explained[@]})" "${bad[@]}"

# ---- examples -----------------------------------------------------------
bad=()
n=0
for p in "${pages[@]}"; do
	grep -q '^\.SH EXAMPLES' "$p" || continue
	[[ $p != */man1/* ]] || continue
	n=$((n + 1))
	src=$(section "$p" EXAMPLES | awk '
		{ l[NR] = $0 }
		/[^ ]/ { match($0, /^ */); if (min == "" || RLENGTH < min) min = RLENGTH }
		END { for (i = 1; i <= NR; i++) print substr(l[i], min + 1) }')
	if ! out=$(gcc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only \
		-I"$root/userlib" -I"$root/uapi" -x c - <<< "$src" 2>&1); then
		bad+=("${p#"$man"/}: its example does not compile: $(head -n 3 <<< "$out" | tr '\n' ' ')")
	fi
done
result "the programs of EXAMPLES compile ($n)" "${bad[@]}"
exit $fail
