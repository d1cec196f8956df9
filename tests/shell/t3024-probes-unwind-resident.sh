#!/bin/sh
# The pages of the program's unwind tables (.eh_frame_hdr to the end of the
# segment that holds it: .eh_frame, .gcc_except_table) that are in memory,
# in each counters line (unwind_resident): the shim's stack unwinding reads
# them, the program's own code does not (but to throw or print a
# backtrace), and they count in its RSS. A JVM's 61 MiB peak was 2.2 MiB
# above its native one, 1.3 MiB of it libjvm's .eh_frame read by the
# shim's unwinder; the summary's "of which faultline" share now holds them.
# Oracle: the program's own /proc/self/pagemap over the same ranges just
# before it exits (p_unwind_rss: 16,384 functions, each with an unwind
# entry and a 70,000-byte block, which the shim records with its stack),
# and the same program run natively.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

"$PROGS/p_unwind_rss" >"$TMP/native" || exit 1
"$FL" record -q --no-compress -o "$TMP/t" -- "$PROGS/p_unwind_rss" >"$TMP/out" || exit 1
f=$(ls "$TMP"/t/*.ndjson | head -1)

# unwind_range ELF: the bytes from .eh_frame_hdr's page to the end of the
# segment that holds it (readelf -l: type offset vaddr paddr filesz memsz)
unwind_range() {
	readelf -lW "$1" | awk '$1 == "GNU_EH_FRAME" || $1 == "LOAD" { print $1, $3, $6 }' >"$TMP/ph"
	hdr=$(awk '$1 == "GNU_EH_FRAME" { print $2 }' "$TMP/ph")
	while read -r type vaddr memsz; do
		[ "$type" = LOAD ] || continue
		if [ $((hdr)) -ge $((vaddr)) ] && [ $((hdr)) -lt $((vaddr + memsz)) ]; then
			echo $(( (vaddr + memsz + 4095) / 4096 * 4096 - hdr / 4096 * 4096 ))
			return 0
		fi
	done <"$TMP/ph"
	return 1
}
unwind=$(truth "$TMP/out" unwind)
last=$(jq -s '[.[] | select(.e == "counters") | .unwind_resident] | last' "$f")
say "program's own reading: $unwind bytes (native run: $(truth "$TMP/native" unwind)); the trace's last line: $last"

test_expect_success 'the last counters line says what the program read of its own pages' '
	# the final tick comes after the program read them: at least as many,
	# and at most a fault-around window (16 pages) more
	test "$last" -ge "$unwind" && test "$last" -le $((unwind + 65536))
'

test_expect_success 'the shim.s unwinding brought them in: most of the program.s own tables' '
	range=$(unwind_range "$PROGS/p_unwind_rss") &&
	traced=$(truth "$TMP/out" self) && native=$(truth "$TMP/native" self) &&
	say "the program.s tables: $range bytes; in memory traced $traced, natively $native" &&
	test $((traced - native)) -ge $((range / 2))
'

# The summary's share: the same trace with every counters line's
# unwind_resident raised by 64 MiB gives a share 64 MiB larger.
jq -c 'if .e == "counters" and .unwind_resident != null then .unwind_resident += 67108864 else . end' \
	"$f" >"$TMP/raised.ndjson"
mkdir -p "$TMP/u" && mv "$TMP/raised.ndjson" "$TMP/u/$(basename "$f")"
test_expect_success 'the summary.s faultline share holds them' '
	a=$("$FL_SAN" report --json --section summary "$TMP/t" | jq .sections.summary.peak_rss_faultline) &&
	b=$("$FL_SAN" report --json --section summary "$TMP/u" | jq .sections.summary.peak_rss_faultline) &&
	say "share $a, with 64 MiB more unwind tables $b" &&
	test $((b - a)) -eq 67108864
'

test_expect_success 'the faults section says it' '
	"$FL_SAN" report --json --section faults "$TMP/t" >"$TMP/f.json" &&
	jq -e --argjson last "$last" ".sections.faults.processes[0].faultline.unwind_resident_bytes == \$last" \
		"$TMP/f.json" >/dev/null
'
# A seccomp filter that refuses process_vm_readv: the objects the loader
# mapped at the start are read by the shim's constructor (probes/buildid.h).
test_expect_success 'a process that may not call process_vm_readv measures them too' '
	"$FL" record -q --no-compress -o "$TMP/s" -- "$PROGS/p_seccomp_exec" process_vm_readv=1 -- \
		"$PROGS/p_unwind_rss" >"$TMP/s.out" &&
	want=$(truth "$TMP/s.out" unwind) &&
	got=$(for g in "$TMP"/s/*.ndjson; do
		head -1 "$g" | jq -e ".exe | endswith(\"/p_unwind_rss\")" >/dev/null &&
			jq -s "[.[] | select(.e == \"counters\") | .unwind_resident] | last" "$g"
	done; true) &&
	say "sandboxed: the program read $want, the trace says $got" &&
	test "$got" -ge "$want" && test "$got" -le $((want + 65536))
'
test_done
