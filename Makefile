# dios: top-level build.
#
#   make                  module (stock kernel), libdios 64+32, selftests, tools
#   make check            lint + selftests on every guest kernel: stock,
#                         debug, 6.12, 7.x, i386, arm64 (+ armhf module build)
#   make check-quick      lint + stock only: the edit loop
#   make check-stock      selftests on the stock (Debian) guest kernel only
#   make check-debug      selftests on the debug (KASAN, lockdep...) kernel only
#   make check-6.12       (or 7.x, i386, arm64, armhf) that kernel only
#   make lint             checkpatch + sparse + W=1
#   make run              boot the stock kernel, load dios.ko, run dios-demo
#   make shell            same VM, interactive shell (KERNEL=debug, 6.12, 7.x,
#                         i386, arm64 for the others)
#   make bench            dios against Linux in the stock VM: build/bench/
#                         (QEMU -icount: virtual time; ICOUNT=0: host time;
#                         ROWS=id,id: only these rows)
#   make install          DESTDIR=... PREFIX=/usr/local
#   make clean
#
# Every entry point first runs scripts/deps.sh (installs missing Debian
# packages), then re-enters make for the real work, so that the variables
# below, computed from installed packages, are right on a fresh machine.
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

# libdios version: feeds the soname (major) and the real name.
LIBDIOS_VERSION := 1.1.0
LIBDIOS_MAJOR := $(firstword $(subst ., ,$(LIBDIOS_VERSION)))

CC ?= gcc
AR ?= ar
CFLAGS ?= -O2 -g
DIOS_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -Iuserlib -Iuapi

# Module build: CONFIG_DIOS=m, plus CONFIG_DIOS_DEBUG with `make DIOS_DEBUG=y`
# (as a make variable for Kbuild and as a macro for IS_ENABLED()).
KBUILD_VARS := CONFIG_DIOS=m
ifeq ($(DIOS_DEBUG),y)
KBUILD_VARS += CONFIG_DIOS_DEBUG=y KCPPFLAGS=-DCONFIG_DIOS_DEBUG=1
endif

LIB_SRCS := $(wildcard userlib/*.c)
HDRS := $(wildcard userlib/*.h uapi/linux/*.h)
TEST_SRCS := $(wildcard selftests/dios/*_test.c)
TEST_HDRS := $(wildcard selftests/dios/*.h)
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
# no tools. An ABI is NAME:LIBDIR:TESTDIR:SEEDDIR:FLAGS.
HOST_TRIPLET := $(shell gcc -dumpmachine)
CC_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
ifeq ($(CC_TRIPLET),$(HOST_TRIPLET))
ABIS := 64:lib64:tests64:seeds64:-m64 32:lib32:tests32:seeds32:-m32
NATIVE := y
else
ABIS := $(CC_TRIPLET):$(CC_TRIPLET)/lib:$(CC_TRIPLET)/tests:$(CC_TRIPLET)/seeds:
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

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

.PHONY: all deps build module module-debug lib tests tools \
	check check-stock check-debug lint run shell bench install clean \
	check-quick $(addprefix check-,$(GUESTS)) $(addprefix build-,$(GUESTS)) \
	$(addprefix module-,$(GUESTS))

# ---- entry points: deps first, then the real work ------------------------

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@scripts/deps.sh

check: deps
	+@scripts/check.sh lint stock debug $(GUESTS)
check-quick: deps
	+@scripts/check.sh lint stock
$(addprefix check-,$(GUESTS)): check-%: deps
	+@scripts/check.sh $*
check-stock: deps
	+@scripts/check.sh stock
check-debug: deps
	+@scripts/check.sh debug
lint: deps
	+@scripts/check.sh lint

KERNEL ?= stock
run shell: deps
	@$(MAKE) --no-print-directory build $(if $(filter debug,$(KERNEL)),module-debug) \
		$(if $(filter $(GUESTS),$(KERNEL)),build-$(KERNEL))
	+@scripts/vm.sh $@ $(KERNEL)

# Reports targets met or missed; fails only if the benchmark itself fails.
bench: deps
	@$(MAKE) --no-print-directory build
	+@DIOS_QEMU_ICOUNT=$(if $(filter 0 n no,$(ICOUNT)),0,1) \
		DIOS_BENCH_ROWS=$(ROWS) scripts/bench.sh

install: deps
	@$(MAKE) --no-print-directory lib-install

# ---- the build ------------------------------------------------------------

build: module lib tests tools

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
	@$(MAKE) --no-print-directory lib tests tools
	+@for t in $(CROSS_ABIS_$*); do \
		$(MAKE) --no-print-directory CC="$$(scripts/cross.sh gcc $$t)/$$t-gcc" \
			lib tests tools || exit; \
	done

lib: $(foreach a,$(ABIS),$(call abi_lib,$(a))/libdios.a \
	$(call abi_lib,$(a))/libdios.so.$(LIBDIOS_VERSION))
tests: $(foreach a,$(ABIS),$(addprefix $(call abi_tests,$(a))/,$(TESTS)))
tools: $(if $(NATIVE),$(addprefix $(B)/tools/,$(TOOLS))) \
	$(foreach a,$(ABIS),$(addprefix $(call abi_seeds,$(a))/,$(SEEDS)))

# -isystem, not -I: the harness macros trip -Wextra (unused parameters) at
# their definition, and warnings from a system header are not reported.
$(KSFT)/kselftest_harness.h:
	@scripts/ksrc.sh partial >/dev/null

# Rules for one ABI: $(1) LIBDIR, $(2) TESTDIR, $(3) SEEDDIR (under build/),
# $(4) the compiler flags that select it (-m64, -m32, or none).
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

# The seed programs once more per ABI, for seeds_test.
$(B)/$(3)/%: tools/%.c $(B)/$(1)/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $$(@D)
	$(CC) $(4) $(DIOS_CFLAGS) -static $$< $(B)/$(1)/libdios.a \
		-lpthread -o $$@
endef
$(foreach a,$(ABIS),$(eval $(call abi_rules,$(call abi_field,$(a),2),$(call abi_field,$(a),3),$(call abi_field,$(a),4),$(call abi_field,$(a),5))))

$(B)/tools/%: tools/%.c $(B)/lib64/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static $< $(B)/lib64/libdios.a -lpthread -o $@

# ---- install --------------------------------------------------------------

.PHONY: lib-install
lib-install: $(B)/lib64/libdios.a $(B)/lib64/libdios.so.$(LIBDIOS_VERSION)
	install -d $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 userlib/dios.h $(DESTDIR)$(INCLUDEDIR)/dios.h
	install -m 644 uapi/linux/dios.h $(DESTDIR)$(INCLUDEDIR)/linux/dios.h
	install -m 644 $(B)/lib64/libdios.a $(DESTDIR)$(LIBDIR)/libdios.a
	install -m 755 $(B)/lib64/libdios.so.$(LIBDIOS_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libdios.so.$(LIBDIOS_VERSION) $(DESTDIR)$(LIBDIR)/libdios.so.$(LIBDIOS_MAJOR)
	ln -sf libdios.so.$(LIBDIOS_MAJOR) $(DESTDIR)$(LIBDIR)/libdios.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIBDIOS_VERSION)|' \
		scripts/libdios.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libdios.pc

clean:
	rm -rf $(B)
