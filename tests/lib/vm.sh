# shellcheck shell=bash disable=SC2034  # VM_* are for the caller
# SPDX-License-Identifier: GPL-2.0
#
# tests/lib/vm.sh: boot a kernel under QEMU (TCG) with this machine's own
# userland as the guest's root, and run one script of the repository in
# it.  Sourced by bash scripts on the host: tests/run (the test suite),
# tests/demo/run, benchmarks, debug-kernel runs.
#
#   . tests/lib/vm.sh
#   vm_setup                      # kernel, build, initramfs
#   vm_snapshot "$OUT/bin"        # optional: copy vmfence.ko, vmfencectl
#   vm_boot tests/x/guest.sh "$OUT" [-icount shift=2,sleep=off ...]
#
# vm_setup
#     Picks the kernel, builds vmfence.ko and ctl/vmfencectl against it and
#     builds (or reuses) the initramfs.  Sets:
#       VM_KVER    kernel release: env KVER, else env VM_KVER, else the
#                  newest /lib/modules/*-amd64 with /boot/vmlinuz-* and a
#                  build/ directory (Debian's linux-image/-headers-amd64)
#       VM_KERNEL  the image QEMU boots (default /boot/vmlinuz-$VM_KVER)
#       VM_MODDIR  where the initramfs takes virtio and 9p modules from
#                  (default /lib/modules/$VM_KVER).  With env
#                  VM_KERNEL_BUILTIN_9P=1 the initramfs loads no module.
#                  If it is not /lib/modules/$VM_KVER, vm_boot also shares
#                  it and the guest sees it as /lib/modules/$(uname -r),
#                  for modprobe (a kernel not installed on this machine).
#       VM_KDIR    kernel build tree (default $VM_MODDIR/build)
#       VM_KO, VM_CTL  the vmfence.ko and vmfencectl just built (copies
#                  kept per kernel in $VM_BUILD/bin-$VM_KVER/, so that
#                  another build in the tree cannot change them)
#       VM_INITRD  the initramfs
#     It runs "make -C $VM_REPO KVER=$VM_KVER" (plus KDIR= when VM_KDIR is
#     not the default), under a lock: two runs never build at once.  Env
#     VM_SKIP_BUILD=1 skips the build (VM_KO, VM_CTL: the tree's files).
#     vm_setup is vm_setup_kernel, vm_setup_build and vm_setup_initramfs in
#     turn; callers may run the three themselves (tests/run does).
#
# vm_snapshot DIR
#     Copies VM_KO and VM_CTL into DIR (vmfence.ko, vmfencectl), and the
#     testing build (vmfence-testing.ko, kmod/testing.h) when there is one.
#
# vm_boot GUEST_SCRIPT OUTDIR [EXTRA QEMU ARGS...]
#     Boots VM_KERNEL with VM_INITRD.  The initramfs loads virtio/9p,
#     mounts this machine's / read-only (tmpfs over /tmp, /run, /var/tmp,
#     /var/lib), the repository at its own path ($VM_REPO, read-only) and
#     OUTDIR (created if needed) writable at the same path as on the host,
#     switch_roots, and PID 1 runs "bash $VM_REPO/GUEST_SCRIPT" with env
#     VM_OUT=OUTDIR and VM_REPO, then powers the guest off.  An absolute
#     GUEST_SCRIPT is run as it is: it must be visible in the guest (in
#     the repository or OUTDIR, or elsewhere but under none of the tmpfs
#     directories).  The script starts with PATH=/bin, the console as
#     stdin, stdout and stderr, and nothing else set up (no /dev/pts, no
#     loopback up: see tests/guest/main.sh or tests/demo/guest.sh).  It
#     must return, not power off itself.
#     The serial console is streamed to stdout, lines as they come (CR
#     removed; SeaBIOS's and the kernel's boot messages included, PID 1's
#     "vmfence-vm: start" and "vmfence-vm: exit N" markers left out) and
#     kept whole in OUTDIR/serial.log.  Env VM_QUIET=1: only the lines
#     printed while the script runs, plus panics and init failures.  Env
#     VM_FILTER=CMD: the console goes through CMD (a command or function
#     reading stdin) before stdout.  Do not pipe vm_boot itself if you
#     need the variables below.
#     Returns 0 if the guest powered off by itself, 124 if it did not
#     within VM_TIMEOUT seconds (default 1500; it is killed), 1 if it
#     stopped otherwise (kernel panic, reboot, init failure; or QEMU got
#     SIGTERM/SIGINT from elsewhere), 2 if QEMU failed.  Sets VM_STATUS
#     (poweroff|timeout|crash|killed|qemu-error), VM_QEMU_RC (the status
#     of "timeout qemu-system-x86_64": 124 or 137 on timeout) and
#     VM_GUEST_RC (the guest script's exit status; empty if it never
#     finished).
#     Env: VM_MEM (MiB, default 1024), VM_SMP (default 2), VM_APPEND (added
#     to the kernel command line), VM_TIMEOUT.  EXTRA QEMU ARGS go last
#     on QEMU's command line (e.g. -icount shift=2,sleep=off).
#
# Other variables: VM_REPO (the repository, from this file's place),
# VM_BUILD (cache and build logs, default $VM_REPO/tests/.build), VM_PROG
# (prefix of error messages, default the script's name).  Errors are one
# line on stderr, "$VM_PROG: ...", and a non-zero return; nothing exits.
# Paths handed to the guest (repository, OUTDIR, script) may not contain
# white space or commas.

VM_REPO=${VM_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_BUILD=${VM_BUILD:-$VM_REPO/tests/.build}
VM_PROG=${VM_PROG:-$(basename "$0")}

# The modules the initramfs loads, in order, to reach the 9p root.
VM_INITRD_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

_vm_err() { echo "$VM_PROG: $*" >&2; return 1; }

_vm_pick_kver() {
	local d k best=
	for d in /lib/modules/*-amd64; do
		[ -d "$d" ] || continue
		k=${d##*/}
		[ -f "/boot/vmlinuz-$k" ] && [ -d "$d/build" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$k" | sed '/^$/d' | sort -V | tail -n 1)
	done
	echo "$best"
}

# Paths go on the kernel command line and into -virtfs options.
_vm_plain_path() {
	case $1 in
	*[[:space:],]*) _vm_err "$2 may not contain white space or commas: $1" ;;
	esac
}

vm_setup_kernel() {
	local tool
	if [ -n "${KVER:-}" ]; then
		VM_KVER=$KVER
	elif [ -z "${VM_KVER:-}" ]; then
		[ -z "${VM_KERNEL:-}" ] ||
			{ _vm_err "VM_KERNEL is set: set KVER to its release too"; return 1; }
		VM_KVER=$(_vm_pick_kver)
	fi
	[ -n "$VM_KVER" ] ||
		{ _vm_err "no Debian kernel found: install linux-image-amd64 and linux-headers-amd64"; return 1; }
	VM_KERNEL=${VM_KERNEL:-/boot/vmlinuz-$VM_KVER}
	VM_MODDIR=${VM_MODDIR:-/lib/modules/$VM_KVER}
	VM_KDIR=${VM_KDIR:-$VM_MODDIR/build}
	[ -r "$VM_KERNEL" ] || { _vm_err "$VM_KERNEL is missing (KVER=$VM_KVER)"; return 1; }
	if [ "${VM_KERNEL_BUILTIN_9P:-0}" != 1 ]; then
		[ -r "$VM_MODDIR/modules.dep" ] ||
			{ _vm_err "$VM_MODDIR/modules.dep is missing (KVER=$VM_KVER)"; return 1; }
	fi
	for tool in qemu-system-x86_64 cpio gzip sha256sum flock; do
		command -v "$tool" >/dev/null ||
			{ _vm_err "$tool not found (see .ci/run for the packages)"; return 1; }
	done
	VM_BUSYBOX=/bin/busybox	# busybox-static's: the initramfs has no libc
	[ -x "$VM_BUSYBOX" ] || { _vm_err "$VM_BUSYBOX not found: install busybox-static"; return 1; }
	_vm_plain_path "$VM_REPO" "the repository's path" || return 1
	mkdir -p "$VM_BUILD" || { _vm_err "cannot create $VM_BUILD"; return 1; }
}

vm_setup_build() {
	local kdir_arg=() lock rc=0 bin
	VM_KO=$VM_REPO/vmfence.ko
	VM_CTL=$VM_REPO/ctl/vmfencectl
	if [ "${VM_SKIP_BUILD:-0}" = 1 ]; then
		echo "# build: skipped (VM_SKIP_BUILD=1)"
		return 0
	fi
	[ "$VM_KDIR" = "/lib/modules/$VM_KVER/build" ] || kdir_arg=(KDIR="$VM_KDIR")
	echo "# build: make -C $VM_REPO KVER=$VM_KVER${kdir_arg:+ ${kdir_arg[*]}}"
	# One build at a time in the tree, and the copies taken under the
	# same lock: what we boot is what we built.
	exec {lock}>"$VM_BUILD/build.lock"
	flock "$lock"
	bin=$VM_BUILD/bin-$VM_KVER
	if ! make -C "$VM_REPO" KVER="$VM_KVER" "${kdir_arg[@]}" >"$VM_BUILD/make.log" 2>&1; then
		tail -n 60 "$VM_BUILD/make.log" >&2
		_vm_err "build failed (full log: $VM_BUILD/make.log)"
		rc=1
	else
		grep -E 'warning:|error:' "$VM_BUILD/make.log" | head -n 20 || true
	fi
	if [ $rc = 0 ]; then
		if [ ! -f "$VM_KO" ]; then
			_vm_err "make succeeded but $VM_KO is missing"
			rc=1
		elif [ ! -x "$VM_CTL" ]; then
			_vm_err "make succeeded but $VM_CTL is missing"
			rc=1
		else
			mkdir -p "$bin" &&
			cp "$VM_KO" "$bin/.vmfence.ko.$$" && cp "$VM_CTL" "$bin/.vmfencectl.$$" &&
			mv -f "$bin/.vmfence.ko.$$" "$bin/vmfence.ko" &&
			mv -f "$bin/.vmfencectl.$$" "$bin/vmfencectl" ||
				{ _vm_err "cannot copy the build to $bin"; rc=1; }
		fi
	fi
	[ $rc = 0 ] && { _vm_build_testing "$bin" || rc=1; }
	exec {lock}>&-
	[ $rc = 0 ] || return 1
	VM_KO=$bin/vmfence.ko
	VM_CTL=$bin/vmfencectl
}

# The test suite's second build of the module, vmfence-testing.ko, with
# the hooks of kmod/testing.h compiled in (VMFENCE_TESTING=1), from a copy
# of the sources so that the tree's own build is untouched.
_vm_build_testing() {
	local bin=$1 src=$VM_BUILD/testing-src-$VM_KVER
	mkdir -p "$src" &&
	# -p: unchanged sources keep their times, and make rebuilds nothing.
	cp -rp "$VM_REPO/Kbuild" "$VM_REPO/dkms.conf" "$VM_REPO/kmod" "$VM_REPO/uapi" "$src/" ||
		{ _vm_err "cannot copy the sources to $src"; return 1; }
	if ! make -C "$VM_KDIR" M="$src" VMFENCE_TESTING=1 modules >"$VM_BUILD/make-testing.log" 2>&1; then
		tail -n 40 "$VM_BUILD/make-testing.log" >&2
		_vm_err "the testing build failed (full log: $VM_BUILD/make-testing.log)"
		return 1
	fi
	cp "$src/vmfence.ko" "$bin/.vmfence-testing.ko.$$" &&
	mv -f "$bin/.vmfence-testing.ko.$$" "$bin/vmfence-testing.ko" ||
		{ _vm_err "cannot copy vmfence-testing.ko to $bin"; return 1; }
}

_vm_module_path() {
	local m=$1 p
	p=$(grep -E "^([^:]*/)?$m\.ko(\.xz|\.zst|\.gz)?:" "$VM_MODDIR/modules.dep" | head -n 1 | cut -d: -f1)
	[ -n "$p" ] || { _vm_err "module $m not in $VM_MODDIR/modules.dep"; return 1; }
	echo "$VM_MODDIR/$p"
}

# Rebuilt when its inputs change: the init script, busybox, the modules.
vm_setup_initramfs() {
	local modpaths=() m p key stage variant=
	if [ "${VM_KERNEL_BUILTIN_9P:-0}" = 1 ]; then
		variant=-nomodules
	else
		for m in $VM_INITRD_MODULES; do
			p=$(_vm_module_path "$m") || return 1
			modpaths+=("$p")
		done
	fi
	key=$( { echo "$VM_KVER$variant"; sha256sum "$VM_REPO/tests/guest/init" "$VM_BUSYBOX" "${modpaths[@]}" | cut -d' ' -f1; } | sha256sum | cut -d' ' -f1)
	VM_INITRD=$VM_BUILD/initramfs-$VM_KVER$variant.cpio.gz
	if [ -f "$VM_INITRD" ] && [ "$(cat "$VM_INITRD.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	echo "# initramfs: building $VM_INITRD"
	stage=$(mktemp -d "$VM_BUILD/initramfs.XXXXXX") || { _vm_err "mktemp failed"; return 1; }
	(
		set -e
		mkdir -p "$stage"/root/{bin,dev,proc,sys,newroot,lib/modules}
		cp "$VM_BUSYBOX" "$stage/root/bin/busybox"
		ln -s busybox "$stage/root/bin/sh"
		install -m 0755 "$VM_REPO/tests/guest/init" "$stage/root/init"
		: >"$stage/root/modules"
		for p in "${modpaths[@]}"; do
			m=${p##*/}
			case $m in
			*.ko.xz)  xz -dc "$p" >"$stage/root/lib/modules/${m%.xz}" ;;
			*.ko.zst) zstd -qdc "$p" >"$stage/root/lib/modules/${m%.zst}" ;;
			*.ko.gz)  gzip -dc "$p" >"$stage/root/lib/modules/${m%.gz}" ;;
			*)        cp "$p" "$stage/root/lib/modules/$m" ;;
			esac
			echo "${m%.ko*}" >>"$stage/root/modules"
		done
		(cd "$stage/root" && find . -print0 | cpio --null -o -H newc --quiet) |
			gzip -1 >"$stage/initramfs.cpio.gz"
		echo "$key" >"$stage/key"
		# Atomic replacement: a run booting the old one meanwhile is fine.
		mv -f "$stage/initramfs.cpio.gz" "$VM_INITRD"
		mv -f "$stage/key" "$VM_INITRD.key"
	)
	p=$?
	rm -rf "$stage"
	[ $p = 0 ] || { _vm_err "building the initramfs failed"; return 1; }
}

vm_setup() {
	vm_setup_kernel && vm_setup_build && vm_setup_initramfs
}

vm_snapshot() {
	local dir=$1 testing=${VM_KO%/*}/vmfence-testing.ko
	mkdir -p "$dir" && cp "$VM_KO" "$dir/vmfence.ko" && cp "$VM_CTL" "$dir/vmfencectl" ||
		{ _vm_err "cannot copy $VM_KO and $VM_CTL to $dir"; return 1; }
	[ ! -f "$testing" ] || cp "$testing" "$dir/vmfence-testing.ko" ||
		{ _vm_err "cannot copy $testing to $dir"; return 1; }
}

# The console, line by line: to OUTDIR/serial.log, and to stdout but for
# our own markers (and, with VM_QUIET=1, what comes outside the script).
_vm_console() {
	local serial=$1 quiet=${VM_QUIET:-0} phase=boot line
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$serial"
		case $line in
		*"vmfence-vm: start"*) phase=script; continue ;;
		*"vmfence-vm: exit "*) phase=end; continue ;;
		esac
		if [ "$quiet" = 1 ] && [ $phase != script ]; then
			case $line in
			*"Kernel panic"*|"vmfence-init:"*|*"BUG:"*|*"Oops"*) ;;
			*) continue ;;
			esac
		fi
		printf '%s\n' "$line"
	done
}

vm_boot() {
	if [ $# -lt 2 ]; then
		_vm_err "usage: vm_boot GUEST_SCRIPT OUTDIR [QEMU ARGS...]"
		return 2
	fi
	local script=$1 outdir=$2 cmdline serial had_e='' moddir=() rcs
	shift 2
	VM_STATUS='' VM_QEMU_RC='' VM_GUEST_RC=''
	[ -n "${VM_INITRD:-}" ] || { _vm_err "vm_boot: run vm_setup first"; return 2; }
	case $script in
	/*) ;;
	*) script=$VM_REPO/$script ;;
	esac
	[ -f "$script" ] || { _vm_err "vm_boot: no guest script $script"; return 2; }
	mkdir -p "$outdir" && outdir=$(cd "$outdir" && pwd) ||
		{ _vm_err "vm_boot: cannot create $outdir"; return 2; }
	_vm_plain_path "$script" "the guest script's path" || return 2
	_vm_plain_path "$outdir" "OUTDIR" || return 2
	serial=$outdir/serial.log
	: >"$serial"

	cmdline="console=ttyS0 panic=-1 oops=panic loglevel=5 log_buf_len=4M printk.time=1"
	cmdline+=" mitigations=off rdinit=/init vmfence_test_repo=$VM_REPO"
	cmdline+=" vmfence_vm_script=$script vmfence_vm_out=$outdir"
	if [ "$VM_MODDIR" != "/lib/modules/$VM_KVER" ] && [ -d "$VM_MODDIR" ]; then
		_vm_plain_path "$VM_MODDIR" "VM_MODDIR" || return 2
		moddir=(-virtfs "local,path=$VM_MODDIR,mount_tag=moddir,security_model=none,readonly=on,multidevs=remap")
		cmdline+=" vmfence_vm_moddir=1"
	fi
	[ -z "${VM_APPEND:-}" ] || cmdline+=" $VM_APPEND"

	[[ $- == *e* ]] && had_e=1
	set +e
	timeout -k 10 "${VM_TIMEOUT:-1500}" qemu-system-x86_64 \
		-accel tcg -m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" -nographic -no-reboot -nodefaults \
		-serial stdio -monitor none -nic none \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" -append "$cmdline" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$VM_REPO,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$outdir,mount_tag=results,security_model=none,multidevs=remap" \
		"${moddir[@]}" "$@" </dev/null 2>&1 |
	_vm_console "$serial" |
	${VM_FILTER:-cat}
	rcs=("${PIPESTATUS[@]}")
	[ -z "$had_e" ] || set -e

	VM_QEMU_RC=${rcs[0]}
	VM_GUEST_RC=$(sed -n 's/.*vmfence-vm: exit \([0-9][0-9]*\).*/\1/p' "$serial" | tail -n 1)
	case $VM_QEMU_RC in
	0) ;;
	124|137) VM_STATUS=timeout; return 124 ;;
	*) VM_STATUS=qemu-error; return 2 ;;
	esac
	if [ -n "$VM_GUEST_RC" ] || grep -q 'reboot: Power down' "$serial"; then
		VM_STATUS=poweroff
		return 0
	fi
	# QEMU exits 0 on SIGTERM or SIGINT, too.
	if grep -q 'qemu-system-x86_64: terminating on signal' "$serial"; then
		VM_STATUS=killed
	else
		VM_STATUS=crash
	fi
	return 1
}
