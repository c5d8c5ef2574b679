#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (make install and dkms are userspace: the module they build is the one every other file loads; Debian's kernel runs it)
# make install and make uninstall with DESTDIR (the guest's / is
# read-only: anything written outside DESTDIR fails): ctl (vmfencectl, its
# man page and bash completion), ctl/hotplug (vmfence-hotplug, the Xen vif
# script with the installed path written in, the libvirt hook), the top
# level (those, vmfence-state and vmfence.service, then the module too)
# leave exactly the right files, with the right modes, and uninstall
# removes them.  The installed vmfencectl runs, its man page renders
# without warnings, its completion loads, and the installed Xen script
# binds a vif through the installed vmfence-hotplug.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
KVER=$(uname -r)
# The kernel tree the module builds against: tests/run passes the debug
# kernel's (its modules share has no usable "build" link in the guest).
KDIR=${VMFENCE_KDIR:-/lib/modules/$KVER/build}

# files ROOT: "MODE PATH" of every file under ROOT, sorted.
files() { (cd "$1" && find . -type f -printf '%m %P\n' | sort); }
# expect_files NAME ROOT "MODE PATH"...
expect_files() {
	local name=$1 root=$2
	shift 2
	expect_eq "$name" "$(printf '%s\n' "$@" | sort)" "$(files "$root")"
}

CTL_FILES=("755 usr/local/sbin/vmfencectl"
	"644 usr/local/share/man/man8/vmfencectl.8"
	"644 usr/local/share/bash-completion/completions/vmfencectl")
HP_FILES=("755 usr/local/sbin/vmfence-hotplug"
	"755 etc/xen/scripts/vmfence-vif"
	"755 usr/local/share/vmfence/libvirt-hook-qemu")
STATE_FILES=("755 usr/local/sbin/vmfence-state"
	"644 lib/systemd/system/vmfence.service")

# --- ctl ---------------------------------------------------------------------------
R=$D/ctl
capture make -C "$REPO/ctl" install DESTDIR="$R"
expect_eq "make -C ctl install DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... installs vmfencectl, its man page and its completion" "$R" "${CTL_FILES[@]}"
check "... the installed vmfencectl is the one built" cmp "$REPO/ctl/vmfencectl" "$R/usr/local/sbin/vmfencectl"
check "... and runs (version)" "$R/usr/local/sbin/vmfencectl" version
check "... the man page is the source's" cmp "$REPO/ctl/vmfencectl.8" "$R/usr/local/share/man/man8/vmfencectl.8"
capture groff -man -Tutf8 -ww -z "$R/usr/local/share/man/man8/vmfencectl.8"
expect_eq "... the man page renders without warnings" "0 " "$C_RC $C_ERR"
capture bash -c '. "$1" && complete -p vmfencectl' _ "$R/usr/local/share/bash-completion/completions/vmfencectl"
expect_eq "... the completion registers for vmfencectl" 0 "$C_RC"
check "... with a function ($C_OUT)" grep -q -- '-F ' <<<"$C_OUT"
capture make -C "$REPO/ctl" uninstall DESTDIR="$R"
expect_eq "make -C ctl uninstall DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... no file left" "$R"

# --- ctl/hotplug ---------------------------------------------------------------------
R=$D/hp
capture make -C "$REPO/ctl/hotplug" install DESTDIR="$R"
expect_eq "make -C ctl/hotplug install DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... installs the three scripts" "$R" "${HP_FILES[@]}"
check "... vmfence-hotplug is the source's" cmp "$REPO/ctl/hotplug/vmfence-hotplug" "$R/usr/local/sbin/vmfence-hotplug"
check "... the libvirt hook is the source's" cmp "$REPO/ctl/hotplug/libvirt/qemu" "$R/usr/local/share/vmfence/libvirt-hook-qemu"
expect_eq "... vmfence-vif calls the installed vmfence-hotplug" \
	'hotplug=${VMFENCE_HOTPLUG:-/usr/local/sbin/vmfence-hotplug}' \
	"$(grep '^hotplug=' "$R/etc/xen/scripts/vmfence-vif")"
expect_eq "... and differs from the source in that line only" 1 \
	"$(diff "$REPO/ctl/hotplug/xen/vmfence-vif" "$R/etc/xen/scripts/vmfence-vif" | grep -c '^>')"
capture make -C "$REPO/ctl/hotplug" uninstall DESTDIR="$R"
expect_eq "make -C ctl/hotplug uninstall DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... no file left" "$R"
check "... share/vmfence removed" test ! -e "$R/usr/local/share/vmfence"

# An installation whose paths are real (PREFIX under /tmp, no DESTDIR): the
# installed vmfence-vif runs the installed vmfence-hotplug.
P=$D/prefix
capture make -C "$REPO/ctl/hotplug" install PREFIX="$P" XENSCRIPTDIR="$P/xen"
expect_eq "make -C ctl/hotplug install PREFIX=$P: exit 0" 0 "$C_RC"
topo_up 0
$IP -n host link add vif7.0 type veth peer name vif7p
capture $IP netns exec host env -u VMFENCE_HOTPLUG VMFENCECTL="$CTL" VMFENCE_LOGGER=true \
	VMFENCE_XENSTORE_DIR="$OPS_EXAMPLES/xenstore" "$P/xen/vmfence-vif" online vif7.0
expect_eq "installed vmfence-vif online vif7.0: exit 0" "0 " "$C_RC $C_ERR"
expect_eq "... bound through the installed vmfence-hotplug" \
	"06:f8:c8:00:00:09 enforce label=i-2-3-VM 10.147.41.238 2001:db8:41::5" "$(bound_as vif7.0)"
capture $IP netns exec host env -u VMFENCE_HOTPLUG VMFENCECTL="$CTL" VMFENCE_LOGGER=true \
	"$P/xen/vmfence-vif" offline vif7.0
expect_eq "installed vmfence-vif offline vif7.0: exit 0, unbound" "0 unbound" "$C_RC $(bound_as vif7.0)"

# --- top level ------------------------------------------------------------------------
R=$D/top
capture make -C "$REPO" ctl_install hotplug_install DESTDIR="$R"
expect_eq "make ctl_install hotplug_install DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... installs vmfencectl, the hotplug scripts, vmfence-state and its unit" "$R" \
	"${CTL_FILES[@]}" "${HP_FILES[@]}" "${STATE_FILES[@]}"
check "... the unit runs the installed vmfence-state" grep -qx 'ExecStart=/usr/local/sbin/vmfence-state restore' \
	"$R/lib/systemd/system/vmfence.service"
capture make -C "$REPO" uninstall DESTDIR="$R"
expect_eq "make uninstall DESTDIR=: exit 0" 0 "$C_RC"
expect_files "... no file left" "$R"

R=$D/usr
capture make -C "$REPO" ctl_install hotplug_install DESTDIR="$R" PREFIX=/usr
expect_eq "make ctl_install hotplug_install DESTDIR= PREFIX=/usr: exit 0" 0 "$C_RC"
mapfile -t USR_FILES < <(printf '%s\n' "${CTL_FILES[@]}" "${HP_FILES[@]}" "${STATE_FILES[@]}" | sed 's| usr/local/| usr/|')
expect_files "... all under usr/" "$R" "${USR_FILES[@]}"
check "... the unit runs /usr/sbin/vmfence-state" grep -qx 'ExecStart=/usr/sbin/vmfence-state restore' \
	"$R/lib/systemd/system/vmfence.service"
check "... vmfence-vif calls /usr/sbin/vmfence-hotplug" grep -qx 'hotplug=${VMFENCE_HOTPLUG:-/usr/sbin/vmfence-hotplug}' \
	"$R/etc/xen/scripts/vmfence-vif"
capture make -C "$REPO" uninstall DESTDIR="$R" PREFIX=/usr
expect_eq "make uninstall DESTDIR= PREFIX=/usr: exit 0, no file left" "0 " "$C_RC $(files "$R")"

# The whole "make install", module included, stays in DESTDIR.  The module
# is built already ("-o module": kbuild under TCG may want to rebuild it in
# the read-only tree); first what make would do, then doing it.
R=$D/all
capture make -n -o module -C "$REPO" install DESTDIR="$R" KVER="$KVER" KDIR="$KDIR"
expect_eq "make -n install DESTDIR=: exit 0" 0 "$C_RC"
expect_eq "... installs the module and runs depmod under DESTDIR only" "" \
	"$(grep -E "echo '  (INSTALL|DEPMOD) |^depmod" <<<"$C_OUT" | grep -vF -- "$R" | cut -c1-160)"
t=$(ops_now)
capture timeout 300 make -o module -C "$REPO" install DESTDIR="$R" KVER="$KVER" KDIR="$KDIR"
note "make install DESTDIR=: $(ops_secs "$t" "$(ops_now)") s"
expect_eq "make install DESTDIR=: exit 0 (nothing written outside DESTDIR)" 0 "$C_RC"
[ "$C_RC" = 0 ] || note "make install: $(grep -iE 'error|denied|read-only' <<<"$C_ERR$C_OUT" | head -n 3 | tr '\n' ' ')"
check "... the module is under DESTDIR/lib/modules/$KVER" \
	bash -c 'ls "$1"/lib/modules/"$2"/*/vmfence.ko*' _ "$R" "$KVER"
check "... and vmfencectl, the hotplug scripts, vmfence-state and the unit too" bash -c '
	cd "$1" && ls usr/local/sbin/vmfencectl usr/local/sbin/vmfence-hotplug etc/xen/scripts/vmfence-vif \
		usr/local/sbin/vmfence-state lib/systemd/system/vmfence.service' _ "$R"
capture make -C "$REPO" uninstall DESTDIR="$R" KVER="$KVER" KDIR="$KDIR"
expect_eq "make uninstall DESTDIR=: exit 0" 0 "$C_RC"
expect_eq "... no file left but depmod's" "" "$(files "$R" 2>/dev/null | grep -v ' lib/modules/[^/]*/modules\.' || true)"
