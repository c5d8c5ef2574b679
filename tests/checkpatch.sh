#!/bin/bash
# Run the kernel's checkpatch.pl over vmfence's kernel code.  checkpatch
# is not in linux-headers; take it from Debian's linux-source tarball once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VMFENCE_CACHE:-$top/tests/.build}/checkpatch
if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "checkpatch: install linux-source-6.1" >&2; exit 1; }
	mkdir -p "$cache"
	tar -C "$cache" --strip-components=1 -xJf "$tarball" \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
cd "$top"
cp=("$cache/scripts/checkpatch.pl" --no-tree --strict --terse --show-types)
ignore=SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE
rc=0
"${cp[@]}" --ignore "$ignore" -f kmod/*.c kmod/*.h kmod/selftest/*.c || rc=1
# The uapi convention "enum { ..., __X_LAST }; #define X_MAX (__X_LAST - 1)"
# has no blank line between the two, as in the kernel's own uapi headers.
"${cp[@]}" --ignore "$ignore,LINE_SPACING" -f uapi/linux/vmfence.h || rc=1
exit $rc
