#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug-kernel/smoke.sh: prove the debug kernel works end to end.
#
# Builds the debug kernel (build.sh; cached), builds vmfence.ko and
# vmfencectl from a scratch copy of this tree against it (nothing is built
# in the repository), boots it under qemu-system-x86_64 -accel tcg with
# the host's root over 9p and a busybox initramfs of its own that loads no
# module, and runs smoke-guest.sh there: insmod, a bridge with two
# namespaces, ping across bound ports, rmmod, kmemleak scan, kernel log
# check, and some timings.  Prints the guest's findings; exit status 0
# only if none failed.
#
# Environment:
#   SMOKE_KEEP=1        keep the scratch directory (logs, dmesg.txt)
#   SMOKE_MEM=MiB       guest memory (default 1024, as tests/run)
#   SMOKE_CMDLINE=...  added to the kernel command line
#   SMOKE_QEMU_ARGS=... added to qemu's arguments (note: "-icount
#                       shift=2,sleep=off" with -smp 2 hung early in boot
#                       here, with this kernel and with Debian's)
#   SMOKE_DEBIAN=KVER   boot Debian's kernel KVER instead (same test, for
#                       comparing timings; its initramfs insmods virtio/9p)
#   + build.sh's variables.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MEM=${SMOKE_MEM:-1024}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

W=$(mktemp -d /tmp/vmfence-smoke.XXXXXX)
[ "${SMOKE_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT

MODULES=
if [ -n "${SMOKE_DEBIAN:-}" ]; then
	KRELEASE=$SMOKE_DEBIAN
	KERNEL=/boot/vmlinuz-$KRELEASE
	KDIR=/lib/modules/$KRELEASE/build
	MODROOT=
	MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
		virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"
else
	eval "$("$HERE/build.sh")"
fi
echo "# kernel: $KERNEL ($KRELEASE)"

# --- vmfence.ko and vmfencectl, built in a scratch copy ----------------------
mkdir "$W/src" "$W/share"
cp -r "$REPO/Kbuild" "$REPO/Makefile" "$REPO/dkms.conf" "$REPO/kmod" "$REPO/uapi" \
	"$REPO/ctl" "$W/src/"
find "$W/src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' \
	-o -name '*.mod.c' -o -name vmfencectl \) -delete
echo "# build: make -C $KDIR M=$W/src modules"
make -C "$KDIR" M="$W/src" modules >"$W/make.log" 2>&1 ||
	{ tail -n 30 "$W/make.log"; echo "smoke: building vmfence.ko failed"; exit 1; }
grep -E 'warning:|error:' "$W/make.log" || true
make -C "$W/src/ctl" >>"$W/make.log" 2>&1 ||
	{ tail -n 30 "$W/make.log"; echo "smoke: building vmfencectl failed"; exit 1; }
cp "$W/src/vmfence.ko" "$W/src/ctl/vmfencectl" "$HERE/smoke-guest.sh" "$W/share/"
echo "# vmfence.ko: $(modinfo -F vermagic "$W/share/vmfence.ko")"

# --- initramfs ----------------------------------------------------------------
I=$W/initramfs
mkdir -p "$I"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$I/bin/busybox"	# busybox-static
ln -s busybox "$I/bin/sh"
: >"$I/modules"
for m in $MODULES; do
	p=$(grep -E "^([^:]*/)?$m\.ko(\.xz|\.zst|\.gz)?:" "/lib/modules/$KRELEASE/modules.dep" | head -n 1 | cut -d: -f1)
	[ -n "$p" ] || { echo "smoke: $m not in modules.dep"; exit 1; }
	case $p in
	*.xz) xz -dc "/lib/modules/$KRELEASE/$p" >"$I/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "/lib/modules/$KRELEASE/$p" >"$I/lib/modules/$m.ko" ;;
	*) cp "/lib/modules/$KRELEASE/$p" "$I/lib/modules/$m.ko" ;;
	esac
	echo "$m" >>"$I/modules"
done
cat >"$I/init" <<'EOF'
#!/bin/sh
PATH=/bin
/bin/busybox --install -s /bin
fail() { echo "smoke-init: $*"; echo o >/proc/sysrq-trigger; sleep 60; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules); do insmod "/lib/modules/$m.ko" || fail "insmod $m"; done
P9="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$P9,ro,cache=loose" hostroot /newroot || fail "mount hostroot"
for d in tmp var/tmp; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d; done
for d in run var/lib; do mount -t tmpfs -o mode=0755 tmpfs /newroot/$d; done
mkdir /newroot/tmp/smoke
mount -t 9p -o "$P9" smoke /newroot/tmp/smoke || fail "mount smoke share"
# The debug kernel's own modules (pktgen, br_netfilter) for modprobe.
if grep -qw smoke_modroot /proc/cmdline; then
	mount -t 9p -o "$P9,ro" modroot /newroot/lib/modules || fail "mount modroot"
fi
mount --move /dev /newroot/dev
mount --move /sys /newroot/sys
mount --move /proc /newroot/proc
exec switch_root /newroot /bin/sh -c \
	"/bin/bash /tmp/smoke/smoke-guest.sh /tmp/smoke; sync; echo o >/proc/sysrq-trigger; sleep 60"
EOF
chmod 0755 "$I/init"
(cd "$I" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$W/initramfs.cpio.gz"

# --- boot -----------------------------------------------------------------------
MODSHARE=()
[ -n "$MODROOT" ] && MODSHARE=(-virtfs "local,path=$MODROOT/lib/modules,mount_tag=modroot,security_model=none,readonly=on,multidevs=remap")
CMDLINE="console=ttyS0 panic=-1 oops=panic loglevel=5 log_buf_len=4M printk.time=1 mitigations=off rdinit=/init ${SMOKE_CMDLINE:-}"
[ -n "$MODROOT" ] && CMDLINE+=" smoke_modroot"
echo "# boot: qemu-system-x86_64 -accel tcg -smp 2 -m $MEM -append '$CMDLINE'"
T0=$(now)
set +e
# shellcheck disable=SC2086	# SMOKE_QEMU_ARGS: several words
timeout -k 10 900 qemu-system-x86_64 \
	-accel tcg -m "$MEM" -smp 2 -nographic -no-reboot -nodefaults \
	-serial stdio -monitor none -nic none \
	-kernel "$KERNEL" -initrd "$W/initramfs.cpio.gz" -append "$CMDLINE" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$W/share,mount_tag=smoke,security_model=none,multidevs=remap" \
	"${MODSHARE[@]}" ${SMOKE_QEMU_ARGS:-} </dev/null 2>&1 |	# split on purpose
while IFS= read -r line; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >>"$W/serial.log"
	case $line in
	"smoke-guest: start"*) echo "# guest userland up after $(elapsed "$T0" "$(now)")s (host wall clock)" ;;
	esac
	case $line in
	smoke-*|ok*|FAIL*|time:*|"Kernel panic"*|*"BUG:"*|*"WARNING:"*) printf '%s\n' "$line" ;;
	esac
done
rc=${PIPESTATUS[0]}
set -e
echo "# qemu exited ($rc) after $(elapsed "$T0" "$(now)")s"
[ "${SMOKE_KEEP:-0}" = 1 ] && echo "# kept: $W"
if [ ! -s "$W/share/result.txt" ] || ! grep -q '^smoke-guest: done' "$W/share/result.txt"; then
	echo "smoke: the guest did not finish; last serial lines:"
	tail -n 60 "$W/serial.log"
	exit 1
fi
! grep -q '^FAIL' "$W/share/result.txt"
