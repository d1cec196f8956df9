#!/bin/sh
# A managed runtime: node filling a 256 MiB Buffer and a few arrays.
# summary.peak_rss against /usr/bin/time -v's "Maximum resident set size" of
# the same traced node (time runs inside the trace). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || real_tool time /usr/bin/time
real_tool nodejs node
real_record "$TMP/t" -- /usr/bin/time -v -o "$TMP/time" node -e '
const b = Buffer.alloc(256 << 20, 1);
const a = [];
for (let i = 0; i < 200000; i++) a.push({ i, s: "x" + i });
console.log(b.length + a.length);
' >"$TMP/t.out" && real_report "$TMP/t" || exit 1
real_compare "summary.peak_rss vs time -v maximum resident set size (KiB)" \
	"$(real_get "$TMP/t" '.sections.summary.peak_rss / 1024 | floor')" \
	"$(time_v "$TMP/time" 'Maximum resident set size (kbytes)')" 5%
test_done
