# vmfence top-level Makefile.
#
#   make                 build vmfence.ko (against KDIR) and ctl/vmfencectl
#   make install         install the module, vmfencectl (with its man page
#                        and bash completion), the hotplug scripts and
#                        vmfence-state with its systemd unit
#   make uninstall       remove them
#   make check           sparse and checkpatch on the module
#   make test            everything CI runs (tests/run-all): static checks,
#                        host-side tests, the suite on Debian's kernel and
#                        on the debug kernel under QEMU
#   make demo            boot the guest and show vmfence at work
#   make bench           the benchmark (tests/bench/run), ~30 minutes
#
# KVER/KDIR choose the kernel to build against; by default the running one.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
CHECKPATCH ?= $(KDIR)/scripts/checkpatch.pl

export VERSION

.PHONY: all module ctl install module_install ctl_install hotplug_install \
	uninstall clean check test demo bench

all: module ctl

module:
	@test -d "$(KDIR)" || { echo "vmfence: no kernel build tree at $(KDIR): install linux-headers-$(KVER) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

ctl:
	$(MAKE) -C ctl

install: module_install ctl_install hotplug_install

# INSTALL_MOD_PATH keeps the module (and kbuild's depmod) under DESTDIR.
module_install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER) 2>/dev/null || true

ctl_install: ctl
	$(MAKE) -C ctl install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The hotplug scripts, vmfence-state and its systemd unit.
SYSTEMDDIR ?= /lib/systemd/system
hotplug_install:
	$(MAKE) -C ctl/hotplug install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 ctl/systemd/vmfence-state $(DESTDIR)$(PREFIX)/sbin/
	sed 's|/usr/local/sbin|$(PREFIX)/sbin|' ctl/systemd/vmfence.service \
		>$(DESTDIR)$(SYSTEMDDIR)/vmfence.service

uninstall:
	$(MAKE) -C ctl uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C ctl/hotplug uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	rm -f $(DESTDIR)$(PREFIX)/sbin/vmfence-state \
		$(DESTDIR)$(SYSTEMDDIR)/vmfence.service
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/vmfence.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/vmfence.ko
	-[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

check:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" VMFENCE_SELFTEST=1 modules
	tests/checkpatch.sh

test:
	tests/run-all

bench:
	tests/bench/run

demo:
	tests/demo/run


clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C ctl clean
