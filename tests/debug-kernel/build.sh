#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug-kernel/build.sh: build (once) the vmfence debug test kernel.
#
#   eval "$(tests/debug-kernel/build.sh)"
#   tests/debug-kernel/build.sh --cached    the same if it is built, else
#                                           status 1 and nothing built
#
# Builds Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) with
# `make tinyconfig` + debug.config (KASAN, lockdep, kmemleak ...; see that
# file), checks that every option of debug.config ended up as requested,
# and caches the result.  A later run with the same inputs does nothing
# but print the paths.  Progress and logs go to stderr; stdout carries
# only these lines, in shell syntax:
#
#   KERNEL=<cache>/bzImage        the kernel to boot (qemu -kernel)
#   KDIR=<cache>/build            kernel tree for `make -C $KDIR M=... modules`
#   MODROOT=<cache>/modroot       INSTALL_MOD_PATH of its modules:
#                                 $MODROOT/lib/modules/$KRELEASE
#   KRELEASE=6.1.N-vmfence-debug  `uname -r` in the guest
#
# Environment:
#   VMFENCE_DEBUG_KERNEL_CACHE  directory holding the cached builds, one
#                               subdirectory per key (default
#                               ${XDG_CACHE_HOME:-$HOME/.cache}/vmfence/debug-kernel)
#   VMFENCE_DEBUG_KERNEL_SRC    source tarball (default
#                               /usr/src/linux-source-6.1.tar.xz, from the
#                               Debian package linux-source-6.1)
#   VMFENCE_DEBUG_KERNEL_JOBS   make -j (default: nproc)
#
# Cache key: sha256 of debug.config's option lines (comments do not
# count), the linux-source-6.1 package version,
# the compiler's version line and RECIPE below (bump it when this script
# changes what it builds).  The build runs in a temporary directory beside
# the cache and is renamed into place only once complete, so a cache
# directory that exists is whole; an flock serialises concurrent builds.
#
# Build dependencies (Debian): linux-source-6.1 build-essential flex bison
# bc libelf-dev cpio xz-utils kmod util-linux.  (No libssl-dev: module
# signing and trusted keys are off, so nothing links libcrypto; no dwarves:
# no BTF.)

set -euo pipefail

RECIPE=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/debug.config
SRC=${VMFENCE_DEBUG_KERNEL_SRC:-/usr/src/linux-source-6.1.tar.xz}
CACHEROOT=${VMFENCE_DEBUG_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmfence/debug-kernel}
JOBS=${VMFENCE_DEBUG_KERNEL_JOBS:-$(nproc)}

log() { echo "debug-kernel: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -r "$FRAGMENT" ] || die "$FRAGMENT is missing"
[ -r "$SRC" ] || die "$SRC is missing: apt-get install linux-source-6.1"
for tool in make gcc flex bison bc cpio xz sha256sum flock perl depmod; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: apt-get install build-essential flex bison bc libelf-dev cpio xz-utils kmod util-linux"
done
[ -e /usr/include/libelf.h ] || die "libelf.h not found (objtool needs it): apt-get install libelf-dev"

SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || SRCVER=
[ -n "$SRCVER" ] || SRCVER="unpackaged:$(stat -c '%s-%Y' "$SRC")"
CCVER=$(gcc --version | head -n 1)
KEY=$( {
	echo "recipe $RECIPE"
	echo "linux-source-6.1 $SRCVER"
	echo "cc $CCVER"
	grep -E '^CONFIG_|^# CONFIG_.* is not set' "$FRAGMENT"
} | sha256sum | cut -c1-16)
CACHE=$CACHEROOT/$KEY

emit() {
	local krel
	krel=$(cat "$CACHE/kernelrelease")
	printf 'KERNEL=%q\n' "$CACHE/bzImage"
	printf 'KDIR=%q\n' "$CACHE/build"
	printf 'MODROOT=%q\n' "$CACHE/modroot"
	printf 'KRELEASE=%q\n' "$krel"
}

if [ -f "$CACHE/bzImage" ]; then
	log "cached: $CACHE"
	emit
	exit 0
fi
[ "${1:-}" != --cached ] || { log "not built yet: $CACHE"; exit 1; }

mkdir -p "$CACHEROOT"
exec 9>"$CACHEROOT/.lock-$KEY"
if ! flock -n 9; then
	log "another build of $KEY is running; waiting for it"
	flock 9
fi
if [ -f "$CACHE/bzImage" ]; then	# built by whoever held the lock
	log "cached: $CACHE"
	emit
	exit 0
fi
# A directory without bzImage is not ours to trust (cannot happen through
# the rename below, but a hand-made one could): replace it.
[ -e "$CACHE" ] && rm -rf "$CACHE"

TMP=$(mktemp -d "$CACHEROOT/.tmp-$KEY-XXXXXX")
chmod 0755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
LOG=$TMP/build.log
T0=$(date +%s)

step() { log "[$(( $(date +%s) - T0 ))s] $*"; }
fail() {
	log "ERROR: $*"
	if [ -s "$LOG" ]; then
		log "last lines of the build log:"
		tail -n 40 "$LOG" >&2
	fi
	exit 1
}
run() { "$@" >>"$LOG" 2>&1 || fail "failed: $*"; }

log "building linux-source-6.1 $SRCVER with $FRAGMENT (key $KEY, make -j$JOBS)"
log "done once per machine: about 1200 s of CPU, 10-30 min on 2 cores"
step "extracting $SRC"
mkdir "$TMP/build"
tar -xf "$SRC" -C "$TMP/build" --strip-components=1 || fail "cannot extract $SRC"
K=$TMP/build
MK=(make -C "$K" -j"$JOBS")

step "configuring: tinyconfig + debug.config"
run "${MK[@]}" tinyconfig
run "$K/scripts/kconfig/merge_config.sh" -m -O "$K" "$K/.config" "$FRAGMENT"
run "${MK[@]}" olddefconfig

# Every line of the fragment must be in the final .config as written.
bad=()
while IFS= read -r line; do
	case $line in
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$K/.config"; then
			bad+=("wanted \"$line\", got \"$(grep "^$opt=" "$K/.config")\"")
		fi
		;;
	CONFIG_*=*)
		if ! grep -qxF -- "$line" "$K/.config"; then
			opt=${line%%=*}
			got=$(grep -E "^$opt=|^# $opt is not set" "$K/.config" || true)
			bad+=("wanted \"$line\", got \"${got:-nothing (unknown option or unmet dependency)}\"")
		fi
		;;
	esac
done <"$FRAGMENT"
if [ ${#bad[@]} -gt 0 ]; then
	log "ERROR: ${#bad[@]} option(s) of $FRAGMENT did not end up as requested:"
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi
step "configuration checked: all $(grep -cE '^CONFIG_|^# CONFIG_.* is not set' "$FRAGMENT") options as requested"

step "building bzImage and modules (log: $LOG while building)"
run "${MK[@]}" bzImage modules
KREL=$(make -s -C "$K" kernelrelease)
step "installing modules ($KREL)"
run "${MK[@]}" INSTALL_MOD_PATH="$TMP/modroot" modules_install
# The build/source links point into $TMP: make them relative to the cache.
rm -f "$TMP/modroot/lib/modules/$KREL/build" "$TMP/modroot/lib/modules/$KREL/source"
ln -s ../../../../build "$TMP/modroot/lib/modules/$KREL/build"
cp "$K/arch/x86/boot/bzImage" "$TMP/bzImage.tmp"
cp "$K/System.map" "$TMP/System.map"
cp "$K/.config" "$TMP/config"
echo "$KREL" >"$TMP/kernelrelease"

# Keep only what external modules need (.config, generated headers,
# scripts, objtool, Module.symvers): "make clean" is documented to do that.
step "make clean (keeps what external modules need)"
run "${MK[@]}" clean

# Prove it: an external module builds against the kept tree.
step "checking that an external module builds against it"
mkdir "$TMP/extmod"
cat >"$TMP/extmod/probe.c" <<'EOF'
#include <linux/module.h>
static int __init probe_init(void) { return 0; }
static void __exit probe_exit(void) { }
module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := probe.o' >"$TMP/extmod/Kbuild"
run make -C "$K" M="$TMP/extmod" modules
[ -f "$TMP/extmod/probe.ko" ] || fail "external module check: probe.ko not built"
rm -rf "$TMP/extmod"

T1=$(date +%s)
# CPU time of everything this script ran ("times": children's user, sys).
times >"$TMP/times"	# in this shell: a subshell would start from 0
CPU=$(tail -n 1 "$TMP/times" | awk '{ for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t }')
rm -f "$TMP/times"
{
	echo "key: $KEY"
	echo "linux-source-6.1: $SRCVER"
	echo "cc: $CCVER"
	echo "recipe: $RECIPE"
	echo "jobs: $JOBS"
	echo "seconds: $((T1 - T0))"
	echo "cpu-seconds: $CPU"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$TMP/build-info"
# bzImage goes in last: its presence is what marks a cache entry as whole.
mv "$TMP/bzImage.tmp" "$TMP/bzImage"
mv -T "$TMP" "$CACHE" || fail "cannot move the build into $CACHE"
trap - EXIT
log "built $KREL in $((T1 - T0))s (CPU ${CPU}s, make -j$JOBS): $CACHE ($(du -sh "$CACHE" | cut -f1))"
emit
