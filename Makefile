# SPDX-License-Identifier: GPL-2.0
#
#   make               build the module for the running kernel, and the tool
#   make demo          boot Debian's 6.1 kernel under QEMU and run the demo
#   make check         every test: userspace, then selftests on 6.1 and 6.12,
#                      then the security tests under a debug build of 6.12,
#                      built beside the other steps the first time
#   make debug-kernel  build that debug kernel alone (once; about 20 minutes)
#   make check-debug   every selftest under debug builds of 6.1 and 6.12
#                      (KASAN, UBSAN, lockdep, kmemleak, failslab)
#   make fuzz          run the fuzzers (FUZZ_SECONDS each)
#   make fuzz-kernel   fuzz the module's netlink side in the 6.12 debug kernel
#                      for SECONDS (default 600), traffic and churn alongside
#   make bench         in the 6.1 and 6.12 guests: instructions per packet
#                      against the bridge, tc and nftables (bench/)
#   make bench-vm      the VM against libpcap's bpf_filter (tools/vm/bench/)
#   make docs          Documentation/ as HTML in build/docs, a warning failing it
#   make install       install module and tool on this machine (DESTDIR,
#                      INSTALL_MOD_PATH and KDIR honoured)
#   make dkms-install  register the module with DKMS instead, replacing
#                      any version of it DKMS has
#   make deb           the Debian packages dupto-dkms and dupto, in build/deb
#   make help          this list
#
# demo and check (scripts/demo, scripts/check) first install the Debian
# packages they need (scripts/debian-packages), which takes root.

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr
# The module's tree under INSTALL_MOD_PATH, as Kbuild's modules_install
# has it (DESTDIR alone, for "make install DESTDIR=..." to stage it all).
INSTALL_MOD_PATH ?= $(DESTDIR)
# The release number: kmod/version.h is the one place it is written.
VERSION := $(shell sed -n 's/^\#define DUPTO_VERSION "\(.*\)"/\1/p' kmod/version.h)
# The release KDIR's headers are for, which the module is installed for:
# its name in /lib/modules/REL/build or /usr/src/linux-headers-REL, as
# DKMS takes it (Debian's 6.1 headers say 6.1.192 of themselves).
KREL ?= $(patsubst linux-headers-%,%,$(notdir $(patsubst %/build,%,$(KDIR))))

all: module tools

# A missing build dependency says which Debian package to install, rather
# than failing in Kbuild's own words.
kdir-check:
	@test -f $(KDIR)/Makefile || { echo "make: no kernel headers in $(KDIR):" \
		"install linux-headers-$(KREL) (or set KDIR)" >&2; exit 1; }

module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

deps:
	scripts/install-deps

# The header above, which is the list of targets.
help:
	@sed -n '/^#   /s/^# //p' $(firstword $(MAKEFILE_LIST))

# Warning-free at W=1 and under sparse, for every supported kernel.
kmod-check:
	scripts/build-kmod --check

check:
	scripts/check

check-debug:
	scripts/check --debug

# The 6.12 debug kernel, which make check then runs the security tests in.
debug-kernel:
	scripts/install-deps
	selftests/qemu/build-debug-kernel 6.12

demo:
	scripts/demo

# depmod -b: the module's index is that of the tree it went into.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KREL) \
		INSTALL_MOD_PATH=$(abspath $(INSTALL_MOD_PATH)) modules_install
	depmod -b $(or $(abspath $(INSTALL_MOD_PATH)),/) $(KREL)
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# What DKMS builds from: the module's sources and dkms.conf, with the
# version written in (dkms.conf says #MODULE_VERSION#, as the Debian
# package's dh_dkms fills it in too). Any version DKMS already has goes
# first, with its source unless a package owns it, so that this one is what
# every kernel gets.
DKMS_SRC = $(DESTDIR)/usr/src/dupto-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild kmod $(DKMS_SRC)/
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

dkms-install:
	@command -v dkms >/dev/null || { echo "make: dkms-install: install dkms" >&2; exit 1; }
	for v in $$(dkms status dupto 2>/dev/null | sed -n 's|^dupto/\([^,:]*\)[,:].*|\1|p' | sort -u); do \
		dkms remove dupto/$$v --all || exit 1; \
		dpkg -S /usr/src/dupto-$$v >/dev/null 2>&1 || rm -rf /usr/src/dupto-$$v; \
	done
	$(MAKE) dkms-source DESTDIR=
	dkms install dupto/$(VERSION) -k $(KREL)

# Debian packages (debian/), built from a copy of the tree so that
# dpkg-buildpackage leaves them in build/deb rather than beside the clone.
deb:
	scripts/build-deb

# The VM's fuzzers, FUZZ_SECONDS each (tools/).
fuzz:
	$(MAKE) -C tools fuzz

# selftests/fuzz.sh alone, for SECONDS, under the 6.12 debug kernel.
SECONDS ?= 600
fuzz-kernel:
	scripts/install-deps
	DUPTO_TESTS=fuzz DUPTO_FUZZ_SECONDS=$(SECONDS) selftests/qemu/run 6.12-debug | scripts/tap

# Instructions per packet in the guests: dupto, the bridge, tc, nftables.
bench:
	scripts/bench

# Instructions and ns per packet: the VM, bpf_filter, hand-written C.
bench-vm:
	$(MAKE) -C tools bench-vm

# From scratch (-E), so that every page's warnings show on every run, not
# only those of the pages changed since the last one; nitpicky (-n), so that
# a reference to nothing is one too.
docs:
	@command -v sphinx-build >/dev/null || \
		{ echo "make docs: sphinx-build is missing: apt-get install python3-sphinx" >&2; exit 1; }
	sphinx-build -E -n -W --keep-going -q -b html Documentation build/docs

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf build

.PHONY: all help module kdir-check tools deps kmod-check check check-debug debug-kernel demo \
	install dkms-source dkms-install deb clean fuzz fuzz-kernel bench bench-vm docs
