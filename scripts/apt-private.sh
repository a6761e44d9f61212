# shellcheck shell=bash
# A private apt configuration: fetch packages of other suites (trixie, sid)
# or other architectures (arm64, armhf) without changing anything
# system-wide. Source it after common.sh; do not run it.
#
#   papt_init NAME "SUITES" "ARCHES" [TYPES]
#                                      set up $DIOS_CACHE/apt-NAME and
#                                      export APT_CONFIG pointing at it
#                                      (TYPES: deb, or deb-src for sources)
#   papt_update                        apt-get update into the private lists
#                                      when they are missing or older than
#                                      DIOS_APT_MAX_AGE days (default 7)
#   papt_download DIR PKG[=VER]...     apt-get download into DIR
#   papt_newest PREFIX REGEX           newest package name starting with
#                                      PREFIX and matching REGEX
#   papt_version PKG                   its candidate version
#
# The archive address is the one the machine's own apt configuration uses
# (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list): the URIs of
# its first main-suite entry (not -security, -updates, -backports), with
# the suites and architectures replaced. Nothing else of the system's
# configuration is read: apt.conf.d is replaced by an empty directory, so
# that no update hook of the system runs, and the lists, the cache and the
# state live in the private directory. dpkg's status file is only read.

# The URIs and key of the machine's main Debian entry, as "URIS|SIGNED_BY".
papt_system_source() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "" && suites != "") {
				n = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					if (s[i] !~ /-/) { print uris "|" key; found = 1; exit }
			}
			types = uris = suites = key = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
			if (k == "Types") types = v
			else if (k == "URIs") uris = v
			else if (k == "Suites") suites = v
			else if (k == "Signed-By") key = v
		}
		END { if (!found) flush() }' "$f" | head -n 1
	done | head -n 1
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		# deb [options] URI SUITE COMPONENTS...
		awk '$1 == "deb" {
			i = 2
			key = ""
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /^\[?signed-by=/) { key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key) }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			if ($(i + 1) !~ /-/) { print $i "|" key; exit }
		}' "$f"
	done | head -n 1
}

papt_init() {
	local name=$1 suites=$2 arches=${3:-} types=${4:-deb} src uris key a f
	PAPT_DIR=$DIOS_CACHE/apt-$name
	src=$(papt_system_source | head -n 1)
	[[ -n $src ]] || die "no Debian archive entry in /etc/apt/sources.list{,.d/}"
	uris=${src%%|*}
	key=${src#*|}
	[[ -n $key ]] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$PAPT_DIR"/{sources.list.d,apt.conf.d,preferences.d,state/lists/partial,cache/archives/partial}
	{
		echo "Types: $types"
		echo "URIs: $uris"
		echo "Suites: $suites"
		echo "Components: main"
		echo "Signed-By: $key"
	} > "$PAPT_DIR/sources.list.d/private.sources.new"
	{
		echo "Dir::Etc::main \"/dev/null\";"
		echo "Dir::Etc::parts \"$PAPT_DIR/apt.conf.d\";"
		echo "Dir::Etc::sourcelist \"/dev/null\";"
		echo "Dir::Etc::sourceparts \"$PAPT_DIR/sources.list.d\";"
		echo "Dir::Etc::preferences \"/dev/null\";"
		echo "Dir::Etc::preferencesparts \"$PAPT_DIR/preferences.d\";"
		echo "Dir::State \"$PAPT_DIR/state\";"
		echo "Dir::State::status \"/var/lib/dpkg/status\";"
		echo "Dir::Cache \"$PAPT_DIR/cache\";"
		# Root downloads into root-owned private directories.
		echo "APT::Sandbox::User \"root\";"
		echo "Acquire::Languages \"none\";"
		# The archive behind the machine's configuration may be a frozen
		# copy whose sid Release file is past its Valid-Until: accept it
		# (the signature is still checked).
		echo "Acquire::Check-Valid-Until \"false\";"
		echo "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled \"false\";"
		if [[ -n $arches ]]; then
			echo "APT::Architectures {"
			for a in $(dpkg --print-architecture) $arches; do
				echo "  \"$a\";"
			done
			echo "};"
		fi
	} > "$PAPT_DIR/apt.conf.new"
	# Lists fetched for another source or architecture set are stale.
	for f in "$PAPT_DIR/sources.list.d/private.sources" "$PAPT_DIR/apt.conf"; do
		if cmp -s "$f.new" "$f"; then
			rm -f "$f.new"
		else
			mv "$f.new" "$f"
			rm -f "$PAPT_DIR/.updated"
		fi
	done
	export APT_CONFIG=$PAPT_DIR/apt.conf
}

papt_update() {
	local max_age=${DIOS_APT_MAX_AGE:-7}
	if [[ ${1:-} != force && -e $PAPT_DIR/.updated &&
	      -z $(find "$PAPT_DIR/.updated" -mtime +"$max_age") ]]; then
		return 0
	fi
	log "apt-get update (private lists in $PAPT_DIR)"
	apt-get update -q >&2 || die "apt-get update failed (config $APT_CONFIG)"
	touch "$PAPT_DIR/.updated"
}

# Download packages into $1; update the lists once if they are stale.
papt_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get download -q "$@") >&2 && return 0
	papt_update force
	(cd "$dir" && apt-get download -q "$@") >&2 ||
		die "cannot download $* (config $APT_CONFIG)"
}

# The package starting with $1 whose name matches the extended regex $2
# (anchored) with the highest version in its name, e.g.
# papt_newest linux-source- 'linux-source-7\.[0-9]+'.
papt_newest() {
	local p best= bestv= v
	for p in $(apt-cache pkgnames "$1" 2>/dev/null | grep -xE "$2"); do
		v=${p##*-}
		if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=$p bestv=$v
		fi
	done
	[[ -n $best ]] || return 1
	echo "$best"
}

papt_version() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }' |
		grep -v '(none)'
}
