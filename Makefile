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
#   make install       install module and tool on this machine
#   make dkms-install  register the module with DKMS instead
#   make help          this list
#
# demo and check (scripts/demo, scripts/check) first install the Debian
# packages they need (scripts/debian-packages), which takes root.

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr
VERSION := $(shell sed -n 's/^\#define DUPTO_VERSION "\(.*\)"/\1/p' kmod/version.h)

all: module tools

module:
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

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

dkms-install:
	rm -rf /usr/src/dupto-$(VERSION)
	mkdir -p /usr/src/dupto-$(VERSION)
	cp -r Kbuild Makefile dkms.conf kmod /usr/src/dupto-$(VERSION)/
	dkms install dupto/$(VERSION)

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

.PHONY: all help module tools deps kmod-check check check-debug debug-kernel demo install \
	dkms-install clean fuzz fuzz-kernel bench bench-vm docs
