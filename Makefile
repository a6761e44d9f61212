# dios: top-level build.
#
#   make                  module (stock kernel), libdios 64+32, selftests, tools
#   make check            lint + selftests on the stock and the debug kernel
#   make check-stock      selftests on the stock (Debian) guest kernel only
#   make check-debug      selftests on the debug (KASAN, lockdep...) kernel only
#   make lint             checkpatch + sparse + W=1
#   make run              boot the stock kernel, load dios.ko, run dios-demo
#   make shell            same VM, interactive shell (KERNEL=debug for the other)
#   make bench            dios against Linux in the stock VM: build/bench/
#                         (QEMU -icount: virtual time; ICOUNT=0: host time;
#                         ROWS=id,id: only these rows)
#   make fuzz             tools/dios-fuzz.c in the debug VM (KERNEL=stock for
#                         the other), FUZZ_SECS (180), FUZZ_SEED (random)
#   make soak             tools/dios-soak.c likewise, SOAK_SECS (120), SOAK_SEED
#   make faultinject      the selftests and dios-fuzz under failslab and
#                         fail_page_alloc, debug VM, FI_SECS per fuzz pass (20)
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
ARCHES := 64 32

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

.PHONY: all deps build module module-debug lib tests tools \
	check check-stock check-debug lint run shell bench install clean \
	fuzz soak faultinject

# ---- entry points: deps first, then the real work ------------------------

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@scripts/deps.sh

check: deps
	+@scripts/check.sh lint stock debug
check-stock: deps
	+@scripts/check.sh stock
check-debug: deps
	+@scripts/check.sh debug
lint: deps
	+@scripts/check.sh lint

KERNEL ?= stock
run shell: deps
	@$(MAKE) --no-print-directory build $(if $(filter debug,$(KERNEL)),module-debug)
	+@scripts/vm.sh $@ $(KERNEL)

# Reports targets met or missed; fails only if the benchmark itself fails.
bench: deps
	@$(MAKE) --no-print-directory build
	+@DIOS_QEMU_ICOUNT=$(if $(filter 0 n no,$(ICOUNT)),0,1) \
		DIOS_BENCH_ROWS=$(ROWS) scripts/bench.sh

install: deps
	@$(MAKE) --no-print-directory lib-install

# The long randomised runs: on the debug kernel unless KERNEL is given.
FUZZ_KERNEL = $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),debug)
fuzz soak faultinject: deps
	@$(MAKE) --no-print-directory build $(if $(filter debug,$(FUZZ_KERNEL)),module-debug)
	+@FUZZ_SECS=$(FUZZ_SECS) FUZZ_SEED=$(FUZZ_SEED) SOAK_SECS=$(SOAK_SECS) \
		SOAK_SEED=$(SOAK_SEED) FI_SECS=$(FI_SECS) \
		scripts/vm.sh $@ $(FUZZ_KERNEL)

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
	+$(MAKE) -C $(2) M=$(B)/$(1)/kernel $(KBUILD_VARS) modules
endef

module:
	@test -d "$(KDIR)" || { echo "KDIR $(KDIR) not found (linux-headers-amd64 installed?)" >&2; exit 1; }
	$(call kbuild,stock,$(KDIR))

# The debug guest kernel is built (or reused from the cache) first.
module-debug:
	$(call kbuild,debug,$$(scripts/debug-kernel.sh))

lib: $(foreach a,$(ARCHES),$(B)/lib$(a)/libdios.a $(B)/lib$(a)/libdios.so.$(LIBDIOS_VERSION))
tests: $(foreach a,$(ARCHES),$(addprefix $(B)/tests$(a)/,$(TESTS)))
tools: $(addprefix $(B)/tools/,$(TOOLS)) \
	$(foreach a,$(ARCHES),$(addprefix $(B)/seeds$(a)/,$(SEEDS)))

# -isystem, not -I: the harness macros trip -Wextra (unused parameters) at
# their definition, and warnings from a system header are not reported.
$(KSFT)/kselftest_harness.h:
	@scripts/ksrc.sh partial >/dev/null

# Rules for one word size: $(1) is 64 or 32.
define arch_rules
$(B)/lib$(1)/obj/%.o: userlib/%.c $(HDRS)
	@mkdir -p $$(@D)
	$(CC) -m$(1) $(DIOS_CFLAGS) -fPIC -c $$< -o $$@

LIB$(1)_OBJS := $(patsubst userlib/%.c,$(B)/lib$(1)/obj/%.o,$(LIB_SRCS))

$(B)/lib$(1)/libdios.a: $$(LIB$(1)_OBJS)
	@rm -f $$@
	$(AR) rcs $$@ $$^

$(B)/lib$(1)/libdios.so.$(LIBDIOS_VERSION): $$(LIB$(1)_OBJS) userlib/libdios.map
	$(CC) -m$(1) $(CFLAGS) -shared -Wl,-soname,libdios.so.$(LIBDIOS_MAJOR) \
		-Wl,--version-script=userlib/libdios.map -Wl,-z,defs \
		-o $$@ $$(LIB$(1)_OBJS) -lpthread
	ln -sf libdios.so.$(LIBDIOS_VERSION) $(B)/lib$(1)/libdios.so.$(LIBDIOS_MAJOR)
	ln -sf libdios.so.$(LIBDIOS_MAJOR) $(B)/lib$(1)/libdios.so

$(B)/tests$(1)/%: selftests/dios/%.c $(B)/lib$(1)/libdios.a $(HDRS) $(TEST_HDRS) \
		$(KSFT)/kselftest_harness.h
	@mkdir -p $$(@D)
	$(CC) -m$(1) $(DIOS_CFLAGS) -isystem $(KSFT) -static $$< \
		$(B)/lib$(1)/libdios.a -lpthread -o $$@

# The seed programs once more per word size, for seeds_test.
$(B)/seeds$(1)/%: tools/%.c $(B)/lib$(1)/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $$(@D)
	$(CC) -m$(1) $(DIOS_CFLAGS) -static $$< $(B)/lib$(1)/libdios.a \
		-lpthread -o $$@
endef
$(foreach a,$(ARCHES),$(eval $(call arch_rules,$(a))))

$(B)/tools/%: tools/%.c $(B)/lib64/libdios.a $(HDRS) $(TOOL_HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static $< $(B)/lib64/libdios.a -lpthread -o $@

# The fuzzer is several files (tools/fuzz/) and speaks the raw ABI only.
FUZZ_SRCS := $(wildcard tools/fuzz/*.c)
FUZZ_HDRS := $(wildcard tools/fuzz/*.h)
$(B)/tools/dios-fuzz: tools/dios-fuzz.c $(FUZZ_SRCS) $(FUZZ_HDRS) $(HDRS)
	@mkdir -p $(@D)
	$(CC) -m64 $(DIOS_CFLAGS) -static tools/dios-fuzz.c $(FUZZ_SRCS) \
		-lpthread -o $@

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
