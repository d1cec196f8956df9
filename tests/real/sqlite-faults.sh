#!/bin/sh
# Page faults of sqlite3 building and sorting a 200,000-row in-memory table:
# the program's faults (per-process minflt + majflt, the shim's perf
# counters) against `perf stat -e page-faults,minor-faults,major-faults` of
# the same command run natively (the program's faults without faultline in
# it). Tolerance 5 % (the two runs are separate; their major faults depend
# on what the page cache held, so they are not compared here: the mmap scan
# cases compare major faults on the same run).
. "$(dirname "$0")/lib.sh"
real_tool sqlite3 sqlite3
command -v perf >/dev/null && perf stat -e page-faults -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count page-faults here"
sql='create table t(a integer, b text);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 200000)
insert into t select i, hex(randomblob(32)) from n;
create index tb on t(b);
select count(*), sum(length(b)) from t;'
sqlite=$(command -v sqlite3)
perf stat -e page-faults,minor-faults,major-faults -x, -o "$TMP/perf" -- \
	"$sqlite" :memory: "$sql" >"$TMP/native.out" || exit 1
real_record "$TMP/t" -- "$sqlite" :memory: "$sql" >"$TMP/t.out" && real_report "$TMP/t" || exit 1
perf_count() { awk -F, -v e="$1" '$3 == e { print $1 }' "$TMP/perf"; }
real_compare "minflt + majflt vs perf stat page-faults (native)" \
	"$(real_get "$TMP/t" '.sections.summary.per_process[0] | .minflt + .majflt')" \
	"$(perf_count page-faults)" 5%
test_done
