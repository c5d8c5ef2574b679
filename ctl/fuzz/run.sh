#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz/run.sh SECONDS: builds the libFuzzer harnesses (make -C ctl fuzz)
# and runs each for SECONDS, both at once, from the seed corpus in
# fuzz/corpus/.  What the fuzzer finds goes to a scratch copy of the
# corpus, not to the seeds; a crash leaves its input in fuzz/artifacts/
# and fails the run.
#
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev).

set -euo pipefail

if [ $# -ne 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -eq 0 ]; then
	echo "usage: $0 SECONDS" >&2
	exit 2
fi
secs=$1
fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ctl=$(dirname "$fuzz")

make -C "$ctl" -s fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$fuzz/artifacts"

# The harnesses run side by side (one core each), then report in order.
declare -A pid
for h in doc parse; do
	mkdir -p "$work/$h"
	args=(-max_total_time="$secs" -timeout=10 -print_final_stats=1
	      -artifact_prefix="$fuzz/artifacts/$h-")
	case $h in
	doc)	args+=(-dict="$fuzz/doc.dict" -max_len=16384) ;;
	parse)	args+=(-max_len=128) ;;
	esac
	echo "# fuzz_$h: ${secs}s"
	"$fuzz/fuzz_$h" "${args[@]}" "$work/$h" "$fuzz/corpus/$h" \
		>"$work/$h.log" 2>&1 &
	pid[$h]=$!
done
passed=0 failed=0
for h in doc parse; do
	if ! wait "${pid[$h]}"; then
		failed=$((failed + 1))
		echo "FAIL fuzz_$h: see below; inputs in $fuzz/artifacts/"
		tail -n 60 "$work/$h.log"
		continue
	fi
	grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' \
		"$work/$h.log" | sed "s/^/  /"
	echo "ok   fuzz_$h"
	passed=$((passed + 1))
done
rmdir "$fuzz/artifacts" 2>/dev/null || true
echo "$passed passed, $failed failed"
exit $((failed > 0))
