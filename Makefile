# dios: top-level build.
#
#   make deps             install the Debian packages everything needs (apt;
#                         the only target that installs anything from Debian)
#   make                  module (stock kernel), libdios 64+32, selftests, tools,
#                         examples/ built against libdios installed in build/stage,
#                         the Rust crate's tests and seed programs (rust/)
#   make check            lint + host tests (plain M= build, DKMS, install) +
#                         selftests on every guest kernel: stock, debug,
#                         6.12, 7.x, i386, arm64 (+ armhf module build)
#   make check-quick      lint + stock only: the edit loop
#   make check-stock      selftests on the stock (Debian) guest kernel only
#   make check-debug      selftests on the debug (KASAN, lockdep...) kernel only
#   make check-6.12       (or 7.x, i386, arm64, armhf) that kernel only
#   make check-host       the host tests only (check-dkms: the DKMS one only)
#   make lint             checkpatch + sparse + W=1
#   make run              boot the stock kernel, load dios.ko, run dios-demo
#   make shell            same VM, interactive shell (KERNEL=debug, 6.12, 7.x,
#                         i386, arm64 for the others)
#   make vm CMD='...' FILES='a b'
#                         boot, load dios.ko, copy FILES (static programs)
#                         into /files, run CMD there; its output on the
#                         terminal, the kernel log in build/logs; fails if
#                         CMD does (KERNEL= as for shell; scripts/vm.sh cmd
#                         returns CMD's own exit status)
#   make bench            dios against Linux in the stock VM: build/bench/
#                         (QEMU -icount: virtual time; ICOUNT=0: host time;
#                         ROWS=id,id: only these rows)
#   make profile          instructions per dios call and per function, stock
#                         VM, a QEMU plugin: build/profile/ (PROBES=, TOP=)
#   make fuzz             tools/dios-fuzz.c in the debug VM (KERNEL=stock for
#                         the other), FUZZ_SECS (180), FUZZ_SEED (random)
#   make soak             tools/dios-soak.c likewise, SOAK_SECS (120), SOAK_SEED
#   make faultinject      the selftests and dios-fuzz under failslab and
#                         fail_page_alloc, debug VM, FI_SECS per fuzz pass (20)
#   make install          libdios 64+32, headers, pkg-config, man pages, udev
#                         rule, the dios command (DESTDIR=... PREFIX=/usr/local
#                         DIOS_GROUP=dios DIOS_MODE=0660)
#   make modules_install  dios.ko for the stock headers' kernel, then depmod
#   make uninstall        remove what install and modules_install put
#   make dkms-src         the DKMS source tree in build/dkms/dios-<version>
#   make dkms-install     add, build and install it with dkms (dkms-uninstall)
#   make clean
#
# Every entry point but `make deps` first checks that the Debian packages it
# needs are installed (scripts/deps.sh --check), says which are missing and
# stops if some are; then it re-enters make for the real work, so that the
# variables below, computed from installed packages, are right.
#
# Build outputs go to build/ only; the kernel sources are copied to
# build/<kernel>/{kernel,uapi} and built there, once per guest kernel.

SHELL := /bin/bash
.DEFAULT_GOAL := all
# Don't let the environment's DIOS_BUILD point outside the tree.
override DIOS_BUILD := $(CURDIR)/build
B := $(DIOS_BUILD)
common := . $(CURDIR)/scripts/common.sh
# The cache directory, as scripts/common.sh decides it (DIOS_CACHE or
# ~/.cache/dios).
DIOS_CACHE := $(shell $(common); echo "$$DIOS_CACHE")
export DIOS_CACHE DIOS_BUILD

# Hand a KDIR given to make on to the scripts (lint builds against it).
ifneq ($(filter command line environment,$(origin KDIR)),)
export KDIR
endif
# Release of the installed linux-headers-amd64 (not `uname -r`).
KRELEASE = $(shell $(common); stock_kernel_release 2>/dev/null)
KDIR ?= /lib/modules/$(KRELEASE)/build
# kselftest_harness.h, extracted from linux-source-6.1 into the cache.
KSFT = $(shell $(common); ksrc_dir 2>/dev/null)/selftests

# The dios release (docs/releasing.md): the ABI version and a patch level.
DIOS_VERSION := $(shell scripts/version.sh)
# libdios version, from LIBDIOS_VERSION_MAJOR/MINOR of userlib/dios.h:
# feeds the soname (major) and the real name.
LIBDIOS_VERSION := $(shell awk '/^\#define LIBDIOS_VERSION_(MAJOR|MINOR)/ \
	{ v = v (v == "" ? "" : ".") $$3 } END { print v ".0" }' userlib/dios.h)
LIBDIOS_MAJOR := $(firstword $(subst ., ,$(LIBDIOS_VERSION)))

CC ?= gcc
AR ?= ar
CFLAGS ?= -O2 -g
DIOS_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -Iuserlib -Iuapi

# Module build: a plain M= build (kernel/Kbuild sets CONFIG_DIOS=m out of
# tree), plus CONFIG_DIOS_DEBUG with `make DIOS_DEBUG=y`.
KBUILD_VARS :=
ifeq ($(DIOS_DEBUG),y)
KBUILD_VARS += CONFIG_DIOS_DEBUG=y
endif

LIB_SRCS := $(wildcard userlib/*.c)
HDRS := $(wildcard userlib/*.h uapi/linux/*.h)
TEST_SRCS := $(wildcard selftests/dios/*_test.c)
TEST_HDRS := $(wildcard selftests/dios/*.h selftests/dios/unloaded/*.h)
# Run by the VM before it loads the module: -ENODEV, autoload on open.
UNLOADED := $(notdir $(basename $(wildcard selftests/dios/unloaded/*_test.c)))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_HDRS := $(wildcard tools/*.h)
SEEDS := $(notdir $(basename $(wildcard tools/seed-*.c)))
TESTS := $(notdir $(TEST_SRCS:.c=))
TOOLS := $(notdir $(TOOL_SRCS:.c=))
# The guest kernels of scripts/kernels.sh, beyond stock and debug.
GUESTS := 6.12 7.x i386 arm64 armhf

# User space ABIs. The native gcc builds two, -m64 and -m32 (gcc-multilib),
# into build/{lib,tests,seeds}{64,32}/ plus the tools into build/tools/.
# A cross compiler (make CC=aarch64-linux-gnu-gcc lib tests) builds its own
# ABI only, with no -m flag, into build/<triplet>/{lib,tests,seeds}/, and
# no tools. An ABI is NAME:LIBDIR:TESTDIR:SEEDDIR:UNLOADEDDIR:FLAGS.
HOST_TRIPLET := $(shell gcc -dumpmachine)
CC_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
ifeq ($(CC_TRIPLET),$(HOST_TRIPLET))
ABIS := 64:lib64:tests64:seeds64:unloaded64:-m64 32:lib32:tests32:seeds32:unloaded32:-m32
NATIVE := y
else
ABIS := $(CC_TRIPLET):$(CC_TRIPLET)/lib:$(CC_TRIPLET)/tests:$(CC_TRIPLET)/seeds:$(CC_TRIPLET)/unloaded:
NATIVE :=
# The cross binutils' ar, beside the cross gcc (or on PATH), unless given.
ifeq ($(origin AR),default)
AR := $(or $(patsubst %gcc,%ar,$(filter %gcc,$(lastword $(CC)))),$(CC_TRIPLET)-ar)
endif
endif
abi_field = $(word $(2),$(subst :, ,$(1)))
abi_lib = $(B)/$(call abi_field,$(1),2)
abi_tests = $(B)/$(call abi_field,$(1),3)
abi_seeds = $(B)/$(call abi_field,$(1),4)
abi_unloaded = $(B)/$(call abi_field,$(1),5)

# Installation directories. The libraries go to the multiarch directories
# Debian's linker and pkg-config search, also under /usr/local; udev reads
# rules from /etc/udev/rules.d (packagers: UDEVRULESDIR=/usr/lib/udev/rules.d).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
# (The host's gcc names them: make install installs the native ABIs, and a
# cross CC, as make build-arm64 runs, knows neither -m64 nor -m32.)
LIBDIR ?= $(PREFIX)/lib/$(shell gcc -m64 -print-multiarch)
LIBDIR32 ?= $(PREFIX)/lib/$(shell gcc -m32 -print-multiarch)
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
UDEVRULESDIR ?= /etc/udev/rules.d
SYSUSERSDIR ?= /etc/sysusers.d
# The access policy of /dev/dios (udev/70-dios.rules.in): DIOS_MODE=0666
# opts every user in.
DIOS_GROUP ?= dios
DIOS_MODE ?= 0660

.PHONY: all deps build module module-debug lib tests tools examples \
	check check-stock check-debug check-host check-dkms lint run shell \
	vm vm-build bench profile install modules_install uninstall dkms-src \
	dkms-install dkms-uninstall clean \
	check-quick $(addprefix check-,$(GUESTS)) $(addprefix build-,$(GUESTS)) \
	$(addprefix module-,$(GUESTS)) \
	fuzz soak faultinject rust

# ---- entry points: check the packages, then the real work ----------------

# The packages (scripts/deps.sh groups) an entry point needs.
need = @scripts/deps.sh --check $(1)
KERNEL ?= stock
VM_DEPS := lib module tests rust vm $(if $(filter debug,$(KERNEL)),debug) \
	$(if $(filter $(GUESTS),$(KERNEL)),guests)

all:
	$(call need,lib module tests rust)
	@$(MAKE) --no-print-directory build

# The only target that installs packages (apt); it never removes one.
deps:
	@scripts/deps.sh

check:
	$(call need,lib module tests rust lint vm debug dkms host guests)
	+@scripts/check.sh lint host stock debug $(GUESTS)
check-quick:
	$(call need,lib module tests rust lint vm)
	+@scripts/check.sh lint stock
$(addprefix check-,$(GUESTS)): check-%:
	$(call need,lib module tests vm guests)
	+@scripts/check.sh $*
check-stock:
	$(call need,lib module tests rust vm)
	+@scripts/check.sh stock
check-debug:
	$(call need,lib module tests vm debug)
	+@scripts/check.sh debug
check-host:
	$(call need,lib module tests dkms host)
	+@scripts/check.sh host
check-dkms:
	$(call need,module dkms)
	+@scripts/check.sh dkms
lint:
	$(call need,module rust lint)
	+@scripts/check.sh lint

# What run, shell and bench build before they boot a VM.
vm-build:
	$(call need,$(VM_DEPS))
	@$(MAKE) --no-print-directory build $(if $(filter debug,$(KERNEL)),module-debug) \
		$(if $(filter $(GUESTS),$(KERNEL)),build-$(KERNEL))

run shell: vm-build
	+@scripts/vm.sh $@ $(KERNEL)

# Your own program in the VM. CMD and FILES reach the script unexpanded
# ($(value)), through the environment: no quoting of make's or the shell's.
vm: export DIOS_VM_CMD = $(value CMD)
vm: export DIOS_VM_FILES = $(value FILES)
vm:
	@scripts/vm.sh cmd-check $(KERNEL)
	@mkdir -p $(B)/logs
	@echo "make vm: building (log: build/logs/vm-build.log)" >&2
	@$(MAKE) --no-print-directory vm-build > $(B)/logs/vm-build.log 2>&1 || \
		{ tail -n 25 $(B)/logs/vm-build.log >&2; exit 1; }
	+@scripts/vm.sh cmd $(KERNEL)

# Reports targets met or missed; fails only if the benchmark itself fails.
bench:
	$(call need,$(VM_DEPS) bench)
	@$(MAKE) --no-print-directory build
	+@DIOS_QEMU_ICOUNT=$(if $(filter 0 n no,$(ICOUNT)),0,1) \
		DIOS_BENCH_ROWS=$(ROWS) scripts/bench.sh

# Where the instructions of each dios call go, per function (QEMU plugin).
profile:
	$(call need,$(VM_DEPS))
	@$(MAKE) --no-print-directory build
	+@PROBES="$(PROBES)" TOP="$(TOP)" scripts/profile.sh

INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" LIBDIR="$(LIBDIR)" \
	LIBDIR32="$(LIBDIR32)" INCLUDEDIR="$(INCLUDEDIR)" DATADIR="$(DATADIR)" \
	UDEVRULESDIR="$(UDEVRULESDIR)" SYSUSERSDIR="$(SYSUSERSDIR)" \
	DIOS_GROUP="$(DIOS_GROUP)" DIOS_MODE="$(DIOS_MODE)" \
	LIBDIOS_VERSION=$(LIBDIOS_VERSION) LIBDIOS_MAJOR=$(LIBDIOS_MAJOR)

install:
	$(call need,lib)
	@$(MAKE) --no-print-directory lib $(B)/tools/dios
	@$(INSTALL_ENV) scripts/install.sh install

modules_install:
	$(call need,module)
	@$(MAKE) --no-print-directory module
	@$(INSTALL_ENV) scripts/install.sh modules_install

uninstall:
	@$(INSTALL_ENV) scripts/install.sh uninstall

# The DKMS source tree: dkms.conf with kernel/ and uapi/ side by side, as
# in this repository (kernel/Kbuild finds the header in ../uapi).
DKMS_SRC := $(B)/dkms/dios-$(DIOS_VERSION)
dkms-src:
	@scripts/dkms.sh stage $(DKMS_SRC)

dkms-install:
	$(call need,module dkms)
	@scripts/dkms.sh stage $(DKMS_SRC)
	@scripts/dkms.sh install $(DKMS_SRC) \
		$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
dkms-uninstall:
	@scripts/dkms.sh remove $(DIOS_VERSION)

# The long randomised runs: on the debug kernel unless KERNEL is given.
FUZZ_KERNEL = $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),debug)
fuzz soak faultinject:
	@$(MAKE) --no-print-directory vm-build KERNEL=$(FUZZ_KERNEL)
	+@FUZZ_SECS=$(FUZZ_SECS) FUZZ_SEED=$(FUZZ_SEED) SOAK_SECS=$(SOAK_SECS) \
		SOAK_SEED=$(SOAK_SEED) FI_SECS=$(FI_SECS) \
		scripts/vm.sh $@ $(FUZZ_KERNEL)

# ---- the build ------------------------------------------------------------

build: module lib tests tools examples go rust

# The Go package (go/, docs/go.md): its tests, run in the stock guest, and
# the Go rows of make bench (scripts/go.sh; go keeps its own cache).
.PHONY: go
go:
	@scripts/go.sh build

# The Rust crate (rust/, docs/rust.md): its tests and seed programs, static,
# for the stock guest (scripts/rust.sh); cargo decides what to rebuild.
rust:
	@scripts/rust.sh build

# Copy kernel/ and uapi/ side by side into build/$(1)/ (Kbuild adds
# -I$(src)/../uapi) and build there. rsync keeps mtimes, so Kbuild rebuilds
# only what changed; --delete removes sources deleted from the tree while the
# excludes protect Kbuild's outputs from that.
KBUILD_OUTPUTS := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude='modules.order' --exclude='Module.symvers' --exclude='.tmp_*'
define kbuild
	@mkdir -p $(B)/$(1)
	@rsync -a --delete $(KBUILD_OUTPUTS) kernel/ $(B)/$(1)/kernel/
	@rsync -a --delete uapi/ $(B)/$(1)/uapi/
	+$(MAKE) -C $(2) M=$(B)/$(1)/kernel $(KBUILD_VARS) $(3) modules
endef

module:
	@test -d "$(KDIR)" || { echo "KDIR $(KDIR) not found (linux-headers-amd64 installed?)" >&2; exit 1; }
	$(call kbuild,stock,$(KDIR))

# The debug guest kernel is built (or reused from the cache) first.
module-debug:
	$(call kbuild,debug,$$(scripts/debug-kernel.sh))

# The kernels of scripts/kernels.sh, likewise; W=1 and sparse (C=2), and no
# 64-bit division left to libgcc, which no kernel links (32-bit: __udivdi3,
# __aeabi_uldivmod).
$(addprefix module-,$(GUESTS)): module-%:
	$(call kbuild,$*,$$(scripts/kernels.sh build $*),W=1 C=2 $$(scripts/kernels.sh kbuild-vars $*))
	@! readelf -sW $(B)/$*/kernel/dios.ko | \
		grep -E ' UND .*(__u?(div|mod)di3|__aeabi_u?ldivmod)$$' || \
		{ echo "error: $*: dios.ko calls libgcc's 64-bit division" >&2; exit 1; }

# Everything a guest needs: its module and the user space it runs (x86:
# build/{tests,seeds}{64,32}; arm64: aarch64 and armhf, cross-compiled).
CROSS_ABIS_arm64 := aarch64-linux-gnu arm-linux-gnueabihf
$(addprefix build-,$(GUESTS)): build-%: module-%
	@$(MAKE) --no-print-directory lib tests tools examples
	+@for t in $(CROSS_ABIS_$*); do \
		$(MAKE) --no-print-directory CC="$$(scripts/cross.sh gcc $$t)/$$t-gcc" \
			lib tests tools || exit; \
	done

lib: $(foreach a,$(ABIS),$(call abi_lib,$(a))/libdios.a \
	$(call abi_lib,$(a))/libdios.so.$(LIBDIOS_VERSION))
tests: $(foreach a,$(ABIS),$(addprefix $(call abi_tests,$(a))/,$(TESTS)) \
	$(addprefix $(call abi_unloaded,$(a))/,$(UNLOADED)))
tools: $(if $(NATIVE),$(addprefix $(B)/tools/,$(TOOLS))) \
	$(foreach a,$(ABIS),$(addprefix $(call abi_seeds,$(a))/,$(SEEDS)))

# -isystem, not -I: the harness macros trip -Wextra (unused parameters) at
# their definition, and warnings from a system header are not reported.
$(KSFT)/kselftest_harness.h:
	@scripts/ksrc.sh partial >/dev/null

# Rules for one ABI: $(1) LIBDIR, $(2) TESTDIR, $(3) SEEDDIR (under build/),
# $(4) the compiler flags that select it (-m64, -m32, or none), $(5)
# UNLOADEDDIR (the tests run before the module is loaded).
define abi_rules
$(B)/$(1)/obj/%.o: userlib/%.c $(HDRS)
	@mkdir -p $$(@D)
	$(CC) $(4) $(DIOS_CFLAGS) -fPIC -c $$< -o $$@

LIB_OBJS_$(1) := $(patsubst userlib/%.c,$(B)/$(1)/obj/%.o,$(LIB_SRCS))

$(B)/$(1)/libdios.a: $$(LIB_OBJS_$(1))
	@rm -f $$@
	$(AR) rcs $$@ $$^

$(B)/$(1)/libdios.so.$(LIBDIOS_VERSION): $$(LIB_OBJS_$(1)) userlib/libdios.map
	$(CC) $(4) $(CFLAGS) -shared -Wl,-soname,libdios.so.$(LIBDIOS_MAJOR) \
		-Wl,--version-script=userlib/libdios.map -Wl,-z,defs \
		-o $$@ $$(LIB_OBJS_$(1)) -lpthread
	ln -sf libdios.so.$(LIBDIOS_VERSION) $(B)/$(1)/libdios.so.$(LIBDIOS_MAJOR)
	ln -sf libdios.so.$(LIBDIOS_MAJOR) $(B)/$(1)/libdios.so

$(B)/$(2)/%: selftests/dios/%.c $(B)/$(1)/libdios.a $(HDRS) $(TEST_HDRS) \
		$(KSFT)/kselftest_harness.h
	@mkdir -p $$(@D)
	$(CC) $(4) $(DIOS_CFLAGS) -isystem $(KSFT) -static $$< \
		$(B)/$(1)/libdios.a -lpthread -o $$@

$(B)/$(5)/%: selftests/dios/unloaded/%.c $(B)/$(1)/libdios.a $(HDRS) \
		$(TEST_HDRS) $(KSFT)/kselftest_harness.h
	@mkdir -p $$(@D)
	$(CC) $(4) $(DIOS_CFLAGS) -isystem $(KSFT) -static $$< \
		$(B)/$(1)/libdios.a -lpthread -o $$@

# The seed programs once more per ABI, for seeds_test.
$(B)/$(3)/%: tools/%.c $(B)/$(1)/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $$(@D)
	$(CC) $(4) $(DIOS_CFLAGS) -static $$< $(B)/$(1)/libdios.a \
		-lpthread -o $$@
endef
$(foreach a,$(ABIS),$(eval $(call abi_rules,$(call abi_field,$(a),2),$(call abi_field,$(a),3),$(call abi_field,$(a),4),$(call abi_field,$(a),6),$(call abi_field,$(a),5))))

# The examples, built as a user builds them (examples/README.md): with
# examples/Makefile and pkg-config only, against libdios as `make install`
# lays it out, staged in build/stage; static, as the guests run them, into
# build/examples{64,32}/ (scripts/vm.sh stages them, guest-init.sh runs
# them). Native ABIs only: install.sh installs build/lib64 and build/lib32.
STAGE := $(B)/stage
EXAMPLE_SRCS := $(wildcard examples/*)
examples: $(if $(NATIVE),$(B)/examples64.stamp $(B)/examples32.stamp)

$(STAGE)/.installed: $(foreach a,$(ABIS),$(call abi_lib,$(a))/libdios.a \
		$(call abi_lib,$(a))/libdios.so.$(LIBDIOS_VERSION)) $(HDRS) \
		scripts/libdios.pc.in scripts/install.sh
	@rm -rf $(STAGE)
	@$(INSTALL_ENV) DESTDIR="$(STAGE)" scripts/install.sh install
	@touch $@

# $(1): 64 or 32; $(2): the library directory of that ABI in the stage.
# The output directory is made afresh: the VM stages all it holds.
define example_rules
$(B)/examples$(1).stamp: $(STAGE)/.installed $(EXAMPLE_SRCS)
	@rm -rf $(B)/examples$(1)
	+PKG_CONFIG_SYSROOT_DIR="$(STAGE)" PKG_CONFIG_LIBDIR="$(STAGE)$(2)/pkgconfig" \
		$(MAKE) --no-print-directory -C examples O=$(B)/examples$(1) \
		CC="$(CC) -m$(1)" CFLAGS="$(CFLAGS) -Wall -Wextra -Werror" STATIC=1
	@touch $$@
endef
$(eval $(call example_rules,64,$(LIBDIR)))
$(eval $(call example_rules,32,$(LIBDIR32)))

$(B)/tools/%: tools/%.c $(B)/lib64/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static $< $(B)/lib64/libdios.a -lpthread -o $@

# The dios command is several files (tools/dios/).
DIOS_TOOL_SRCS := $(wildcard tools/dios/*.c)
DIOS_TOOL_HDRS := $(wildcard tools/dios/*.h)
$(B)/tools/dios: tools/dios.c $(DIOS_TOOL_SRCS) $(DIOS_TOOL_HDRS) \
		$(B)/lib64/libdios.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static tools/dios.c $(DIOS_TOOL_SRCS) \
		$(B)/lib64/libdios.a -lpthread -o $@

# The fuzzer is several files (tools/fuzz/) and speaks the raw ABI only.
FUZZ_SRCS := $(wildcard tools/fuzz/*.c)
FUZZ_HDRS := $(wildcard tools/fuzz/*.h)
$(B)/tools/dios-fuzz: tools/dios-fuzz.c $(FUZZ_SRCS) $(FUZZ_HDRS) $(HDRS) $(TOOL_HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static tools/dios-fuzz.c $(FUZZ_SRCS) \
		-lpthread -o $@

clean:
	rm -rf $(B)
