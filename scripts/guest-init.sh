#!/bin/busybox sh
# /init of the dios test VM: PID 1 inside QEMU, packed by scripts/vm.sh.
#
# The kernel command line selects what to do: diosmode=test|run|bench|shell.
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
# The results channel: ttyS1, or a virtio console (diosresults=hvc0).
results=ttyS1
for arg in $(cat /proc/cmdline); do
	case $arg in
	diosmode=*) mode=${arg#diosmode=} ;;
	diosresults=*) results=${arg#diosresults=} ;;
	diosonly=*) only=${arg#diosonly=} ;;
	diosrows=*) rows="-r ${arg#diosrows=}" ;;
	esac
done

stty -F /dev/$results raw -echo 2>/dev/null
exec 3>/dev/$results

marker() { echo "dios-test: $*" > /dev/kmsg; }
result() { echo "$*" >&3; }

ok=1

load() {
	marker "START insmod"
	insmod /dios.ko
	st=$?
	result "dios-result: insmod $st"
	[ $st -eq 0 ] || ok=0
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
		case ",$only," in
		,,|*",${t##*/},"*) ;;
		*) continue ;;
		esac
		name=${t#/tests}
		marker "START $name"
		result "dios-test: START $name"
		(cd /tmp && "$t") >&3 2>&3
		st=$?
		result "dios-test: END $name $st"
		marker "END $name $st"
		[ $st -eq 0 ] || ok=0
	done
}

# One test binary, its TAP and exit status framed for parse-results.py;
# named DIR/NAME (unloaded64/enodev_test).
run_one() {
	name=${1#/}
	marker "START $name"
	result "dios-test: START $name"
	(cd /tmp && "$1") >&3 2>&3
	st=$?
	result "dios-test: END $name $st"
	marker "END $name $st"
	[ $st -eq 0 ] || ok=0
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
shell)
	load
	echo "dios: module loaded; tests in /tests64 /tests32, tools in /demo."
	echo "dios: exit the shell to unload the module and power off."
	setsid cttyhack sh -l
	unload
	;;
esac

sync
reboot -f
