#!/bin/bash
# Boot a guest kernel under QEMU (TCG) with an initramfs holding busybox,
# dios.ko, the static selftests (64- and 32-bit), the examples and the tools.
#
#   vm.sh test  stock|debug   run every selftest; print result lines and
#                             exit non-zero on any failure (parse-results.py)
#   vm.sh run   stock|debug   run /demo/dios-demo, output on the terminal
#   vm.sh bench stock|debug   run /demo/dios-bench, JSON to build/bench/results.json
#   vm.sh shell stock|debug   interactive busybox shell, module loaded
#   vm.sh fuzz|soak stock|debug   run tools/dios-fuzz.c (FUZZ_SECS,
#                             FUZZ_SEED) or tools/dios-soak.c (SOAK_SECS,
#                             SOAK_SEED), output on the terminal, result
#                             lines as for test
#   vm.sh faultinject stock|debug   the selftests and dios-fuzz under
#                             failslab and fail_page_alloc (FI_SECS per
#                             fuzz pass); result lines as for test
#   vm.sh cmd KERNEL          make vm: copy DIOS_VM_FILES (space-separated
#                             paths: static programs, scripts, data) into
#                             the guest's /files, run DIOS_VM_CMD there with
#                             sh, the module loaded; its output on the
#                             terminal, the kernel log in the console log;
#                             exits with the command's status (124: timed
#                             out; 125: the VM did not get to run it, or the
#                             kernel reported a WARNING, BUG, KASAN...)
#   vm.sh cmd-check KERNEL    only check DIOS_VM_CMD and DIOS_VM_FILES
#
# The module and user programs must already be built (make build, and
# make module-debug for the debug kernel). Logs: build/logs/<kernel>-*.log.
#
# The kernels of scripts/kernels.sh (6.12, 7.x, i386, arm64) boot the same
# way in test and shell modes: kernels.sh vm NAME says which QEMU, console,
# busybox and user-space directories (arm64: aarch64 and armhf programs).
#
# Splats are detected from the console log rather than with panic_on_warn,
# so that one WARN fails the test that caused it while the other tests still
# run. DIOS_VM_TIMEOUT (seconds, default 1200) bounds each boot.
# DIOS_QEMU_ICOUNT=1 adds -icount shift=0,sleep=off (virtual time: the
# guest clock counts instructions, 1 ns each, not host time), with one vCPU;
# DIOS_QEMU_ICOUNT_SHIFT=N|auto changes the shift.
# DIOS_GUEST_ENV=NAME exports NAME=1 to the guest's programs (dios-fuzz:
# FUZZ_NO_MM, FUZZ_NO_UFFD leave those operations out, to narrow a
# finding down).
set -euo pipefail
. "$(dirname "$0")/common.sh"

mode=${1:?usage: vm.sh test|run|bench|shell|fuzz|soak|faultinject|cmd stock|debug|6.12|7.x|i386|arm64}
kernel=${2:-stock}
timeout_s=${DIOS_VM_TIMEOUT:-1200}

# make vm: a command, and files that the guest can run (static: the guest
# has no dynamic loader or libraries; of an architecture the guest runs).
# Usage errors exit 2 before anything is built or booted.
usage_error() {
	echo "vm.sh: $*" >&2
	echo "usage: make vm CMD='command' [FILES='path ...'] [KERNEL=stock|debug|6.12|7.x|i386|arm64]" >&2
	exit 2
}
cmd_check() {
	local machines f e m names=" "
	[[ -n ${DIOS_VM_CMD:-} ]] || usage_error "no command (CMD) given"
	case $kernel in
	stock | debug | 6.12 | 7.x) machines="Advanced Micro Devices X86-64|Intel 80386" ;;
	i386) machines="Intel 80386" ;;
	arm64) machines="AArch64|ARM" ;;
	*) usage_error "no guest kernel $kernel" ;;
	esac
	for f in ${DIOS_VM_FILES:-}; do
		[[ -e $f ]] || usage_error "FILES: $f: no such file or directory"
		[[ $names != *" ${f##*/} "* ]] ||
			usage_error "FILES: two files named ${f##*/}"
		names+="${f##*/} "
		while IFS= read -r -d '' e; do
			[[ $(head -c 4 "$e" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
				continue
			if readelf -lW "$e" 2>/dev/null | grep 'program interpreter' >/dev/null; then
				usage_error "FILES: $e is dynamically linked; programs in the guest must be static (gcc -static, or pkg-config --static --libs libdios)"
			fi
			m=$(readelf -hW "$e" | sed -n 's/^ *Machine: *//p')
			[[ $m =~ ^($machines)$ ]] ||
				usage_error "FILES: $e is a program for $m, which the $kernel guest does not run"
		done < <(find "$f" -type f -print0)
	done
}
case $mode in
cmd-check)
	cmd_check
	exit 0
	;;
cmd) cmd_check ;;
esac

# The long runs: their own time, and the kernel command line that tells
# the guest (scripts/guest-init.sh) how long and with which seed.
extra_cmdline=
case $mode in
fuzz | soak)
	if [[ $mode == fuzz ]]; then
		secs=${FUZZ_SECS:-180} seed=${FUZZ_SEED:-}
	else
		secs=${SOAK_SECS:-120} seed=${SOAK_SEED:-}
	fi
	[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "bad run time: $secs"
	[[ -z $seed || $seed =~ ^[0-9]+$ ]] || die "bad seed: $seed"
	extra_cmdline=" diossecs=$secs${seed:+ diosseed=$seed}"
	# Boot, the settling of the counts, rmmod and kmemleak on top.
	timeout_s=${DIOS_VM_TIMEOUT:-$((secs + 900))}
	;;
faultinject)
	secs=${FI_SECS:-20}
	[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "bad FI_SECS: $secs"
	extra_cmdline=" diossecs=$secs"
	timeout_s=${DIOS_VM_TIMEOUT:-$((30 * secs + 2400))}
	;;
test)
	# The short fuzz and soak passes of make check, per kernel:
	# DIOS_CHECK_QUICK=FUZZ_SECS,SOAK_SECS (0,0: none); on the stock
	# and debug kernels only.
	case $kernel in
	debug) quick=${DIOS_CHECK_QUICK:-40,30} ;;
	stock) quick=${DIOS_CHECK_QUICK:-20,15} ;;
	*) quick=${DIOS_CHECK_QUICK:-0,0} ;;
	esac
	[[ $quick =~ ^[0-9]+,[0-9]+$ ]] || die "bad DIOS_CHECK_QUICK: $quick"
	extra_cmdline=" diosquick=$quick"
	;;
esac

# What differs between guests; the stock and debug kernels take the defaults.
qemu_sys=qemu-system-x86_64 qemu_machine=() ttys=ttyS0 results_virtio=
busybox=$(command -v busybox || echo /bin/busybox)
userdirs=("64:$DIOS_BUILD/tests64:$DIOS_BUILD/seeds64"
	"32:$DIOS_BUILD/tests32:$DIOS_BUILD/seeds32")
tapname=$kernel
case $kernel in
stock) image=$("$DIOS_ROOT/scripts/stock-kernel.sh") ;;
debug) image=$(debug_kdir)/arch/x86/boot/bzImage ;;
*)
	vmvars=$("$DIOS_ROOT/scripts/kernels.sh" vm "$kernel") || exit 1
	eval "$vmvars"
	;;
esac
[[ -e $image ]] || die "no kernel image $image"
module=$DIOS_BUILD/$kernel/kernel/dios.ko
[[ -e $module ]] || die "$module not built"

# ---- initramfs -------------------------------------------------------------
root=$DIOS_BUILD/vm/$kernel/root
initrd=$DIOS_BUILD/vm/$kernel/initramfs.cpio.gz
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,tests64,tests32,seeds64,seeds32,demo}
readelf -l "$busybox" | grep 'program interpreter' >/dev/null &&
	die "$busybox is not static (install busybox-static)"
cp "$busybox" "$root/bin/busybox"
install -m 755 "$DIOS_ROOT/scripts/guest-init.sh" "$root/init"
cp "$module" "$root/dios.ko"
# userdirs: WORDSIZE:TESTDIR:SEEDDIR, into /testsWORDSIZE and /seedsWORDSIZE.
for u in "${userdirs[@]}"; do
	IFS=: read -r a tdir sdir <<< "$u"
	if [[ -d $tdir ]]; then
		find "$tdir" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$root/tests$a/" \;
	fi
	[[ ! -d $sdir ]] || cp "$sdir"/* "$root/seeds$a/"
done
if [[ -d $DIOS_BUILD/tools ]]; then
	find "$DIOS_BUILD/tools" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/demo/" \;
fi

# The tests run before the module is loaded (guest-init.sh, "unloaded") and
# the examples (examples/, built against the staged install; run after the
# selftests): their binaries, for each user-space ABI of the guest
# (build/unloaded64 and build/examples64 beside build/tests64,
# build/<triplet>/unloaded beside .../tests; examples only on x86); the
# module tree as `make modules_install` lays it out for the guest's release,
# indexed by depmod, kept aside in /modstage until the autoload test
# installs it; on x86_64 guests, which run the host's binaries, kmod (the
# kernel's modprobe there, and `kmod static-nodes`) with its libraries in
# /usr/lib/dios-kmod: the autoload test needs it and is left out elsewhere.
for u in "${userdirs[@]}"; do
	IFS=: read -r a tdir _ <<< "$u"
	for d in unloaded examples; do
		udir=${tdir%tests*}$d${tdir##*tests}
		if [[ -d $udir ]]; then
			mkdir -p "$root/$d$a"
			cp "$udir"/* "$root/$d$a/"
		fi
	done
done
# The Go package's tests (scripts/go.sh), x86_64: in the stock guest.
if [[ $kernel == stock && -x $DIOS_BUILD/go/dios.test ]]; then
	mkdir -p "$root/go64"
	cp "$DIOS_BUILD/go/dios.test" "$root/go64/"
fi
# The Rust crate's tests and seed programs (scripts/rust.sh): x86_64, in
# the stock guest.
[[ $kernel != stock ]] || "$DIOS_ROOT/scripts/rust.sh" stage "$root"
release=$(modinfo -F vermagic "$module" | cut -d' ' -f1)
mkdir -p "$root/modstage/lib/modules/$release/updates"
cp "$module" "$root/modstage/lib/modules/$release/updates/dios.ko"
depmod -b "$root/modstage" -a "$release" 2> >(grep -v 'could not open modules\.' >&2)
if [[ $qemu_sys == qemu-system-x86_64 ]]; then
	kmod=$(command -v kmod || echo /usr/bin/kmod)
	mkdir -p "$root/usr/lib/dios-kmod"
	cp "$kmod" "$root/usr/lib/dios-kmod/kmod"
	ln -s kmod "$root/usr/lib/dios-kmod/modprobe"
	ldd "$kmod" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do cp -L --parents "$lib" "$root/"; done
fi
# make vm: the command, and the files in /files.
if [[ $mode == cmd ]]; then
	mkdir -p "$root/files"
	printf '%s\n' "$DIOS_VM_CMD" > "$root/cmd"
	for f in ${DIOS_VM_FILES:-}; do
		cp -r "$f" "$root/files/"
	done
fi
# The kernel opens /dev/console before /init runs (devtmpfs comes later).
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$initrd"

# ---- QEMU ------------------------------------------------------------------
mkdir -p "$DIOS_LOGS"
console=$DIOS_LOGS/$kernel-$mode-console.log
results=$DIOS_LOGS/$kernel-$mode-results.log
rm -f "$console" "$results"

# printk.devkmsg=on: /dev/kmsg writes are rate limited otherwise, and the
# per-test markers would be dropped. kasan_multi_shot: report every KASAN
# error, not only the first. panic=-1 + -no-reboot: a panic ends QEMU.
cmdline="console=$ttys loglevel=7 printk.devkmsg=on panic=-1 kasan_multi_shot"
cmdline+=" mitigations=off diosmode=$mode"
# DIOS_ONLY=a_test,b_test: run only these test programs (a quicker loop)
[[ -z ${DIOS_ONLY:-} ]] || cmdline+=" diosonly=$DIOS_ONLY"
# DIOS_BENCH_ROWS=id,id: make bench runs only these rows
[[ -z ${DIOS_BENCH_ROWS:-} ]] || cmdline+=" diosrows=$DIOS_BENCH_ROWS"
cmdline+=$extra_cmdline
[[ -z ${DIOS_GUEST_ENV:-} ]] || cmdline+=" diosenv=$DIOS_GUEST_ENV"
# The results channel: the second UART, or a virtio console where the
# machine has one UART only (arm64 virt).
results_serial=(-serial "file:$results")
if [[ -n $results_virtio ]]; then
	cmdline+=" diosresults=hvc0"
	results_serial=(-device virtio-serial-device
		-chardev "file,id=dres,path=$results" -device virtconsole,chardev=dres)
fi

# TCG by default: /dev/kvm may exist on these machines without working.
# DIOS_QEMU_ACCEL=kvm where KVM really works.
accel=${DIOS_QEMU_ACCEL:-tcg}

# -icount forces single-threaded TCG, and two vCPUs then hang at times in
# SMP bring-up: one vCPU (the benchmark pins itself to CPU 0 anyway).
smp=2
icount=()
if [[ ${DIOS_QEMU_ICOUNT:-0} != 0 ]]; then
	smp=1
	icount=(-icount "shift=${DIOS_QEMU_ICOUNT_SHIFT:-0},sleep=off")
fi

qemu=("$qemu_sys" "${qemu_machine[@]}" -nographic -monitor none -no-reboot
	-accel "$accel" -smp "$smp" -m 1G "${icount[@]}"
	-kernel "$image" -initrd "$initrd" -append "$cmdline")

# The results channel on the terminal too (run, bench, fuzz, cmd...).
results_term=(-chardev "stdio,id=results,signal=off,logfile=$results"
	-serial chardev:results)
if [[ -n $results_virtio ]]; then
	results_term=(-device virtio-serial-device
		-chardev "stdio,id=results,signal=off,logfile=$results"
		-device virtconsole,chardev=results)
fi

case $mode in
test)
	log "booting the $kernel kernel (timeout ${timeout_s}s; console: $console)"
	# Results as each test binary ends, while the VM runs.
	exec "$DIOS_ROOT/scripts/parse-results.py" --kernel "$tapname" \
		--console "$console" --results "$results" --timeout "$timeout_s" \
		-- timeout -k 10 "$timeout_s" "${qemu[@]}" \
		-serial "file:$console" "${results_serial[@]}"
	;;
run | bench)
	# The program's output (ttyS1) goes to the terminal and to $results,
	# the kernel log to $console.
	status=0
	timeout -k 10 "$timeout_s" "${qemu[@]}" -serial "file:$console" \
		"${results_term[@]}" </dev/null || status=$?
	[[ $status -ne 124 ]] || die "VM timed out after ${timeout_s}s; console log: $console"
	grep -q 'dios-result: SUCCESS' "$results" ||
		die "the $mode run failed (qemu status $status); console log: $console"
	"$DIOS_ROOT/scripts/parse-results.py" --kernel "$kernel" --splats-only \
		--console "$console" --results "$results" --status "$status" ||
		die "kernel reports in the console log: $console"
	if [[ $mode == bench ]]; then
		mkdir -p "$DIOS_BUILD/bench"
		sed -n '/^dios-bench: BEGIN JSON/,/^dios-bench: END JSON/p' "$results" |
			sed '1d;$d' | tr -d '\r' > "$DIOS_BUILD/bench/results.json"
		[[ -s $DIOS_BUILD/bench/results.json ]] ||
			die "no benchmark results in $results"
	fi
	;;
fuzz | soak | faultinject)
	# As test, with the results channel on the terminal as well.
	log "booting the $kernel kernel for $mode (timeout ${timeout_s}s; console: $console)"
	start=$SECONDS
	status=0
	timeout -k 10 "$timeout_s" "${qemu[@]}" -serial "file:$console" \
		"${results_term[@]}" </dev/null || status=$?
	log "$kernel: VM finished in $((SECONDS - start))s (status $status)"
	exec "$DIOS_ROOT/scripts/parse-results.py" --kernel "$kernel" \
		--console "$console" --results "$results" \
		--status "$status" --timeout "$timeout_s"
	;;
cmd)
	# The command's output (the results channel) on the terminal, the
	# kernel log in $console, where guest-init.sh also writes how insmod,
	# the command and rmmod ended.
	log "booting the $kernel kernel to run the command (timeout ${timeout_s}s; kernel log: $console)"
	status=0
	timeout -k 10 "$timeout_s" "${qemu[@]}" -serial "file:$console" \
		"${results_term[@]}" </dev/null || status=$?
	marked() {
		tr -d '\r' < "$console" |
			sed -n "s/^.*dios-result: $1 \([0-9][0-9]*\)\$/\1/p" | tail -n 1
	}
	insmod=$(marked insmod) cmd=$(marked cmd) rmmod=$(marked rmmod)
	splats=0
	"$DIOS_ROOT/scripts/parse-results.py" --kernel "$kernel/cmd" \
		--splats-only --console "$console" --results "$results" \
		--status "$status" >&2 || splats=1
	if [[ $status -eq 124 ]]; then
		log "the VM timed out after ${timeout_s}s (DIOS_VM_TIMEOUT); kernel log: $console"
		exit 124
	fi
	if [[ -z $cmd ]]; then
		log "the command did not run (insmod status ${insmod:-never reached}, qemu status $status); kernel log: $console"
		exit 125
	fi
	[[ ${rmmod:-1} -eq 0 ]] ||
		log "warning: rmmod dios failed (status ${rmmod:-never reached}); kernel log: $console"
	if [[ $splats -ne 0 ]]; then
		log "the kernel reported the errors above while the command ran (its status: $cmd); kernel log: $console"
		exit 125
	fi
	[[ $cmd -eq 0 ]] || log "the command exited with status $cmd"
	exit "$cmd"
	;;
shell)
	"${qemu[@]}" -serial mon:stdio "${results_serial[@]}"
	;;
esac
