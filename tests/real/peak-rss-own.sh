#!/bin/sh
# The program's own peak RSS, the shim taken out: GNU sort of 300,000
# shuffled numbers (a 123 MiB buffer it touches ~18 MiB of), its
# summary.peak_rss less peak_rss_faultline (the shim's buffers and image
# and the libraries only it loaded) against sort's ru_maxrss run natively
# (/usr/bin/time, the median of three runs). Tolerance 3 %: what the
# share cannot see, pages of glibc only the shim's calls map, is 150-370
# KiB here (doc/report-json.md); a share without the shim's libraries
# would be 1.2 MiB (5 %) short.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || real_tool time /usr/bin/time
seq 1 300000 | shuf --random-source=/dev/zero >"$TMP/nums" || exit 1
for i in 1 2 3; do
	/usr/bin/time -f %M -o "$TMP/n$i" sort -n "$TMP/nums" -o "$TMP/sorted" || exit 1
done
native=$(cat "$TMP/n1" "$TMP/n2" "$TMP/n3" | sort -n | sed -n 2p)
real_record "$TMP/t" -- sort -n "$TMP/nums" -o "$TMP/sorted" && real_report "$TMP/t" || exit 1
real_compare "summary.peak_rss - peak_rss_faultline vs native ru_maxrss (KiB)" \
	"$(real_get "$TMP/t" '(.sections.summary.peak_rss - .sections.summary.peak_rss_faultline) / 1024 | floor')" \
	"$native" 3%
test_done
