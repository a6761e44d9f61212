#!/bin/busybox sh
# /init of the dios test VM: PID 1 inside QEMU, packed by scripts/vm.sh.
#
# The kernel command line selects what to do:
# diosmode=test|run|bench|shell|fuzz|soak|faultinject|cmd.
# Console (ttyS0): kernel log, with a marker in /dev/kmsg before each phase
# so that the host attributes a splat to the test that caused it.
# Results channel (ttyS1, or hvc0 with diosresults=hvc0): TAP of each test
# and the status lines parsed by scripts/parse-results.py. `dios-result:
# SUCCESS` is written only if insmod, every test binary and rmmod succeeded.

/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

mode=test
only=
rows=
secs=
seed=
quick=
# The results channel: ttyS1, or a virtio console (diosresults=hvc0).
results=ttyS1
for arg in $(cat /proc/cmdline); do
	case $arg in
	diosmode=*) mode=${arg#diosmode=} ;;
	diosresults=*) results=${arg#diosresults=} ;;
	diosonly=*) only=${arg#diosonly=} ;;
	diosrows=*) rows="-r ${arg#diosrows=}" ;;
	diossecs=*) secs=${arg#diossecs=} ;;
	diosseed=*) seed=${arg#diosseed=} ;;
	diosquick=*) quick=${arg#diosquick=} ;;
	diosenv=*) export ${arg#diosenv=}=1 ;;
	esac
done

stty -F /dev/$results raw -echo 2>/dev/null
exec 3>/dev/$results

marker() { echo "dios-test: $*" > /dev/kmsg; }
result() { echo "$*" >&3; }

ok=1

# The node as udev/70-dios.rules leaves it (no udev here): mode 0660, the
# access policy's group being root's; the unprivileged workers of dios-fuzz
# are members of it.  (The autoload test's static node is 0600.)
load() {
	marker "START insmod"
	insmod /dios.ko
	st=$?
	result "dios-result: insmod $st"
	[ $st -eq 0 ] || ok=0
	[ $st -ne 0 ] || chmod 0660 /dev/dios
	return $st
}

unload() {
	marker "START rmmod"
	rmmod dios
	st=$?
	result "dios-result: rmmod $st"
	[ $st -eq 0 ] || ok=0
}

run_tests() {
	for t in /tests64/* /tests32/*; do
		[ -x "$t" ] || continue
		wanted "${t##*/}" || continue
		run_framed "${t#/tests}" "$t"
	done
	# The examples (examples/): each is one result, its exit status,
	# named 64/examples/NAME.  diosonly: "examples" or their names.
	for t in /examples64/* /examples32/*; do
		[ -x "$t" ] || continue
		wanted examples || wanted "${t##*/}" || continue
		a=${t#/examples}
		run_framed "${a%%/*}/examples/${t##*/}" "$t"
	done
	# The Go package's tests (scripts/go.sh): one result line per Go
	# test, 64/go: TestName.  diosonly: "go".
	if [ -x /go64/dios.test ] && wanted go; then
		run_framed 64/go /go64/dios.test -tap
	fi
	# The Rust crate's tests (scripts/rust-guest.sh), where staged.
	[ ! -f /rust/run.sh ] || . /rust/run.sh
}

# A command as a test block named $1: its TAP and exit status framed for
# parse-results.py.
run_framed() {
	name=$1
	shift
	marker "START $name"
	result "dios-test: START $name"
	(cd /tmp && "$@") >&3 2>&3
	st=$?
	result "dios-test: END $name $st"
	marker "END $name $st"
	[ $st -eq 0 ] || ok=0
}

# One test binary, named DIR/NAME (unloaded64/enodev_test).
run_one() {
	run_framed "${1#/}" "$1"
}

# One run of a tool (dios-fuzz, dios-soak) as a test block named $1.
# Honours diosonly.
run_block() {
	wanted "$1" || return 0
	run_framed "$@"
}

# The seed option of dios-fuzz and dios-soak: diosseed=, or theirs.
seed_opt() {
	[ -z "$seed" ] || echo "-s $seed"
}

# ---- fault injection (make faultinject) -----------------------------------
# failslab and fail_page_alloc, task-filtered: only processes that wrote 1
# to /proc/self/make-it-fail see allocation failures. Each sweep
# point counts the failures it injected (the attributes' "times" count down
# from FI_TIMES).  The test processes set it themselves (fi_selftests,
# dios-fuzz -F), so that the shell, timeout and init never fail.
fi_dbg=/sys/kernel/debug
FI_TIMES=1000000000

fi_off() {
	for f in failslab fail_page_alloc; do
		[ -d $fi_dbg/$f ] || continue
		echo 0 > $fi_dbg/$f/probability
		echo $FI_TIMES > $fi_dbg/$f/times
	done
}

# fi_set NAME PROBABILITY INTERVAL
fi_set() {
	d=$fi_dbg/$1
	echo 0 > $d/probability
	echo "$3" > $d/interval
	echo $FI_TIMES > $d/times
	echo 0 > $d/space
	echo 0 > $d/verbose
	echo Y > $d/task-filter
	echo N > $d/ignore-gfp-wait
	if [ "$1" = fail_page_alloc ]; then
		echo N > $d/ignore-gfp-highmem
		echo 0 > $d/min-order
	fi
	echo "$2" > $d/probability
}

# Failures injected since fi_set, by both.
fi_injected() {
	n=0
	for f in failslab fail_page_alloc; do
		t=$(cat $fi_dbg/$f/times)
		n=$((n + FI_TIMES - t))
		echo $FI_TIMES > $fi_dbg/$f/times
	done
	echo $n
}

# The live counts of /sys/kernel/debug/dios/stats on one line.
dios_counts() {
	grep -E '^(objects_|names|contexts|refs)' $fi_dbg/dios/stats |
		tr '\n' ' '
}

# Wait up to 60 s for the counts to come back to $1; prints them.
counts_settle() {
	i=0
	now=$(dios_counts)
	while [ "$now" != "$1" ] && [ $i -lt 600 ]; do
		sleep 0.1
		now=$(dios_counts)
		i=$((i + 1))
	done
	echo "$now"
}

# The selftests (64-bit) under fault injection, summarised as TAP lines
# on the results channel. The failures start after the binary's exec
# (dios-fuzz --fi-exec: an exec failing past its point of no return is a
# SIGSEGV that says nothing of dios) and hit every allocation of the test
# processes, their own memory included. So:
#  - assertion failures ("not ok" lines) are expected: a call failed with
#    -ENOMEM where the test wants success; counted;
#  - a test process or the harness killed by SIGSEGV or SIGBUS is counted
#    apart, not failed: the kernel kills a process whose signal frame or
#    stack it cannot allocate, and the harness dereferences an mmap that
#    failed (dios-fuzz -F, which injects into its dios calls only, is
#    where a crash fails the run);
#  - any other signal, and a binary not finished after 300 s (status
#    137), fail.
fi_selftests() {
	point=$1
	cases=0 passed=0 asserted=0 segv=0 timeouts=0 nostart=0 bad=
	for t in /tests64/*; do
		[ -x "$t" ] || continue
		name=${t##*/}
		marker "START fi-$point/$name"
		(cd /tmp && timeout -s KILL 300 /demo/dios-fuzz --fi-exec "$t") \
			> /tmp/fi.out 2>&1
		st=$?
		marker "END fi-$point/$name $st"
		p=$(grep -c '^ok ' /tmp/fi.out)
		f=$(grep -c '^not ok ' /tmp/fi.out)
		c=$(grep -c 'terminated unexpectedly by signal' /tmp/fi.out)
		s=$(grep -cE 'terminated unexpectedly by signal (7|11)$' \
			/tmp/fi.out)
		o=$(grep -c 'terminated by timeout' /tmp/fi.out)
		cases=$((cases + p + f))
		passed=$((passed + p))
		segv=$((segv + s))
		timeouts=$((timeouts + o))
		asserted=$((asserted + f - c - o))
		case $st in
		0 | 1 | 4) ;;
		126 | 127) nostart=$((nostart + 1)) ;;
		135 | 139) segv=$((segv + 1)) ;;
		*)
			bad="$bad $name(status $st)"
			tail -n 8 /tmp/fi.out | sed 's/^/# /' >&3
			;;
		esac
		if [ $c -gt $s ]; then
			bad="$bad $name($((c - s)) killed by a signal)"
			grep -B3 'terminated unexpectedly by signal' /tmp/fi.out |
				sed 's/^/# /' >&3
		fi
	done
	result "dios-test: START fi-$point/selftests"
	result "1..1"
	msg="$cases cases, $passed passed, $asserted failed an assertion, $timeouts timed out, $segv SIGSEGV/SIGBUS, $nostart binaries not started"
	if [ -z "$bad" ]; then
		result "ok 1 $msg"
	else
		result "not ok 1 $msg; died:$bad"
		ok=0
	fi
	result "dios-test: END fi-$point/selftests 0"
}

# Processes of a test left behind (an orphan blocked or stopped): gone,
# before the counts are compared.
kill_leftovers() {
	for p in /proc/[0-9]*; do
		case $(readlink $p/exe 2>/dev/null) in
		/tests64/* | /tests32/* | /demo/* | /seeds64/* | /seeds32/* | \
		/examples64/* | /examples32/*)
			kill -9 ${p#/proc/} 2>/dev/null ;;
		esac
	done
}

# One sweep point: the selftests, then dios-fuzz -F, with the given
# settings; then no leak in the counts.
fi_point() {
	point=$1
	shift
	point_seed=$((point_seed + 1))
	# diosonly=POINT,...[,selftests]: these points; the selftests only
	# if named too.
	case ",$only," in
	,,|*",$point,"*) ;;
	*) return 0 ;;
	esac
	base=$(dios_counts)
	fi_off
	while [ $# -ge 3 ]; do
		fi_set "$1" "$2" "$3"
		shift 3
	done
	case ",$only," in
	,,|*,selftests,*) fi_selftests "$point" ;;
	esac
	n=$(fi_injected)
	saved=$only
	only=
	run_block "fi-$point/fuzz" /demo/dios-fuzz -F -t "${secs:-20}" \
		-s "$point_seed" -w 2 -W 120
	only=$saved
	m=$(fi_injected)
	fi_off
	kill_leftovers
	now=$(counts_settle "$base")
	result "dios-test: START fi-$point/leaks"
	result "1..1"
	if [ "$now" = "$base" ]; then
		result "ok 1 debugfs counts back ($n failures injected in the selftests, $m in dios-fuzz)"
	else
		result "not ok 1 debugfs counts: $base -> $now"
		ok=0
	fi
	result "dios-test: END fi-$point/leaks 0"
}

fault_sweep() {
	if [ ! -d $fi_dbg/failslab ] || [ ! -d $fi_dbg/fail_page_alloc ]; then
		result "dios-test: START faultinject"
		result "1..1"
		result "not ok 1 no failslab or fail_page_alloc in $fi_dbg"
		result "dios-test: END faultinject 1"
		ok=0
		return
	fi
	point_seed=0
	# name  attribute probability interval ...
	fi_point slab1 failslab 1 1
	fi_point slab10 failslab 10 1
	fi_point slab-every31 failslab 100 31
	fi_point page1 fail_page_alloc 1 1
	fi_point page10 fail_page_alloc 10 1
	fi_point both5 failslab 5 1 fail_page_alloc 5 1
	fi_off
}

wanted() {
	case ",$only," in
	,,|*",$1,"*) return 0 ;;
	esac
	return 1
}

# Before anything loads the module (scripts/vm.sh stages what they need):
# insmod refusing bad limits, with a log line for each; libdios's -ENODEV
# without /dev/dios and with a node but no module; then
# the module installed under /lib/modules/$(uname -r) as modules_install
# and depmod leave it, kmod as the kernel's modprobe, the static nodes made
# from `kmod static-nodes` as systemd-tmpfiles makes them at boot, and the
# first open loading the module (unloaded again after each run).
unloaded_tests() {
	[ -d /unloaded64 ] || [ -d /unloaded32 ] || return 0
	rel=$(uname -r)
	kmod=/usr/lib/dios-kmod/kmod
	DIOS_TEST_DEVNAME=$(awk '$1 == "dios" { print $3 }' \
		/modstage/lib/modules/$rel/modules.devname)
	DIOS_TEST_MODULE=/dios.ko
	export DIOS_TEST_DEVNAME DIOS_TEST_MODULE
	for t in /unloaded64/params_test /unloaded32/params_test; do
		[ -x $t ] && wanted params_test && run_one $t
	done
	for t in /unloaded64/enodev_test /unloaded32/enodev_test; do
		[ -x $t ] && wanted enodev_test && run_one $t
	done
	# kmod is the host's: staged only where the guest runs host binaries.
	[ -x $kmod ] || return 0
	wanted autoload_test || return 0
	mkdir -p /lib/modules
	cp -a /modstage/lib/modules/$rel /lib/modules/
	echo /usr/lib/dios-kmod/modprobe > /proc/sys/kernel/modprobe
	# (-o: its default, /dev/stdout, is not in a bare devtmpfs.)
	$kmod static-nodes -f tmpfiles -o /tmp/static-nodes
	while read -r type path perm _ _ _ arg; do
		case $type in
		c*) mknod -m "$perm" "$path" c "${arg%%:*}" "${arg#*:}" ;;
		esac
	done < /tmp/static-nodes
	for t in /unloaded64/autoload_test /unloaded32/autoload_test; do
		[ -x $t ] || continue
		run_one $t
		marker "START rmmod autoloaded"
		rmmod dios
		st=$?
		result "dios-result: autoload-rmmod $st"
		[ $st -eq 0 ] || ok=0
	done
}

# Wait up to 5 s for every process but init to be gone (a zombie has
# no exe link: its files, /dev/dios among them, are closed).
wait_no_processes() {
	i=0
	while [ $i -lt 50 ]; do
		n=0
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" = 1 ] || [ ! -e "$p/exe" ] || n=$((n + 1))
		done
		[ $n -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
}

# Forget what leaked before the module was loaded (boot-time caches of the
# kernel itself, ACPI's among them): only leaks from here on are ours.
kmemleak_clear() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || return 0
	echo scan > $f
	echo clear > $f
}

kmemleak() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || return 0
	marker "START kmemleak"
	# Two scans with a pause: an object is reported only once it has been
	# unreferenced for a full scan period.
	echo scan > $f
	sleep 5
	echo scan > $f
	cat $f
	result "dios-result: kmemleak"
}

case $mode in
test)
	kmemleak_clear
	unloaded_tests
	if load; then
		run_tests
		# Short fixed-seed passes of the fuzzer and the soak
		# (diosquick=FUZZ_SECS,SOAK_SECS; 0 leaves one out).
		fq=${quick%,*}
		sq=${quick#*,}
		[ -z "$quick" ] || [ "$fq" = 0 ] ||
			run_block fuzz /demo/dios-fuzz -t "$fq" -s 1 -W 120
		[ -z "$quick" ] || [ "$sq" = 0 ] ||
			run_block soak /demo/dios-soak -t "$sq" -s 1
		unload
	fi
	kmemleak
	[ $ok -eq 1 ] && result "dios-result: SUCCESS"
	;;
run)
	if load; then
		marker "START demo"
		/demo/dios-demo >&3 2>&3
		st=$?
		result "dios-result: demo $st"
		[ $st -eq 0 ] || ok=0
		# The seed programs, each against its Linux version (tools/seed-*).
		for seed in "seed-fib both 15" "seed-primes both" \
			"seed-pingpong both both 4800"; do
			marker "START $seed"
			(cd /tmp && /demo/$seed) >&3 2>&3
			st=$?
			result "dios-result: ${seed%% *} $st"
			[ $st -eq 0 ] || ok=0
		done
		unload
	fi
	[ $ok -eq 1 ] && result "dios-result: SUCCESS"
	;;
bench)
	# dios-bench's progress and its JSON, between marker lines, go to the
	# results channel; scripts/vm.sh extracts the JSON on the host.
	if load; then
		marker "START bench"
		/demo/dios-bench -o /tmp/dios-bench.json $rows >&3 2>&3
		st=$?
		result "dios-result: bench $st"
		if [ $st -eq 0 ]; then
			result "dios-bench: BEGIN JSON"
			cat /tmp/dios-bench.json >&3
			result "dios-bench: END JSON"
		else
			ok=0
		fi
		unload
	fi
	[ $ok -eq 1 ] && result "dios-result: SUCCESS"
	;;
fuzz | soak)
	# make fuzz, make soak: one long run, then rmmod and kmemleak.
	kmemleak_clear
	if load; then
		run_block "$mode" /demo/dios-$mode -t "${secs:-180}" $(seed_opt)
		unload
	fi
	kmemleak
	[ $ok -eq 1 ] && result "dios-result: SUCCESS"
	;;
faultinject)
	kmemleak_clear
	if load; then
		fault_sweep
		unload
	fi
	kmemleak
	[ $ok -eq 1 ] && result "dios-result: SUCCESS"
	;;
cmd)
	# make vm: the command's output is the results channel's; how insmod,
	# the command and rmmod ended goes to the kernel log (the console),
	# where scripts/vm.sh reads it, apart from the output.
	exec 4>&3 3>/dev/kmsg
	if load; then
		marker "START cmd"
		(cd /files && PATH=/files:/demo:$PATH sh /cmd) </dev/null >&4 2>&4
		st=$?
		# What the command left running must not keep the module.
		kill -9 -1 2>/dev/null
		wait_no_processes
		result "dios-result: cmd $st"
		unload
	fi
	;;
shell)
	load
	echo "dios: module loaded; tests in /tests64 /tests32, examples in /examples64 /examples32, tools in /demo."
	echo "dios: exit the shell to unload the module and power off."
	setsid cttyhack sh -l
	unload
	;;
esac

sync
reboot -f
