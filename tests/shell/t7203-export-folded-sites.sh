#!/bin/sh
# export --format folded --what alloc|peak|leaked: one measure per file, and
# every site of the heap report in it with the report's own total, whether
# the sites come from records (sampled) or from the shim's per-site
# aggregates (--all), which the export once left out.
. "$(dirname "$0")/lib.sh"
. "$top/tests/shell/export-lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3 to trace"
[ -x "$PROGS/p_heap_threads" ] || skip_all "test programs not built"

cat >"$TMP/prog.py" <<\PY
keep = []
def make_list(n):
    return [str(i) * 3 for i in range(n)]
def leak_some():
    keep.append(bytearray(3 << 20))
x = make_list(100000)
leak_some()
del x
PY

test_expect_success 'record python3 with --all and p_heap_threads sampled (one record per 16 bytes)' '
	"$FL" record -q --all -o "$TMP/py" -- /usr/bin/python3 "$TMP/prog.py" &&
	"$FL" record -q --sample 16 -o "$TMP/th" -- "$PROGS/p_heap_threads" >/dev/null &&
	"$FL_SAN" report --json --section heap --top 1000000 "$TMP/py" >"$TMP/py.json" &&
	"$FL_SAN" report --json --section heap --top 1000000 "$TMP/th" >"$TMP/th.json" &&
	jq -e ".sections.heap.site_source == \"aggregates\"" "$TMP/py.json" >/dev/null &&
	jq -e ".sections.heap.site_source == \"records\"" "$TMP/th.json" >/dev/null
'

for t in py th; do
	test_expect_success "$t: each --what writes one measure, named by its root" '
		for w in alloc peak leaked faults; do
			"$FL_SAN" export --format folded --what $w -o "$TMP/$t.$w" "$TMP/$t" || exit 1
		done &&
		"$FL_SAN" export --format folded "$TMP/$t" | cmp - "$TMP/$t.alloc" &&
		! grep -v "^alloc;" "$TMP/$t.alloc" && ! grep -v "^peak;" "$TMP/$t.peak" &&
		! grep -v "^leaked;" "$TMP/$t.leaked" && ! grep -v "^fault;" "$TMP/$t.faults"
	'
	test_expect_success "$t: every heap site is in --what alloc with its bytes" '
		sites_agree "$TMP/$t.json" "$TMP/$t.alloc" by_bytes bytes
	'
	test_expect_success "$t: every heap site is in --what peak with its peak live bytes" '
		sites_agree "$TMP/$t.json" "$TMP/$t.peak" by_peak peak_live
	'
	test_expect_success "$t: every leaking site is in --what leaked with its bytes at exit" '
		sites_agree "$TMP/$t.json" "$TMP/$t.leaked" leaks leaked_bytes
	'
done

test_expect_success 'py: the alloc and leaked totals are the heap report totals' '
	for w in alloc:by_bytes:bytes leaked:leaks:leaked_bytes; do
		IFS=: read -r what table field <<-EOF
		$w
		EOF
		got=$(awk "\$NF ~ /^[0-9]+\$/ && \$0 !~ /;(mmap \\(|mremap )/ { s += \$NF } END { printf \"%.0f\", s }" "$TMP/py.$what") &&
		want=$(jq ".sections.heap.$table | map(.$field) | add" "$TMP/py.json") &&
		test "$got" = "$want" || { echo "$what: $got != $want"; exit 1; }
	done
'

test_expect_success 'th: leaked holds leak_site, not the sites that freed all they took' '
	grep -q ";leak_site [0-9]*\$" "$TMP/th.leaked" &&
	grep -q ";hold_site [0-9]*\$" "$TMP/th.peak" &&
	! grep -q ";hold_site [0-9]*\$" "$TMP/th.leaked" &&
	! grep -q ";churn_site [0-9]*\$" "$TMP/th.leaked"
'

test_expect_success '--what is refused with another format, an unknown one too' '
	"$FL" export --format perfetto --what peak "$TMP/th" 2>"$TMP/err"; test $? -eq 2 &&
	grep -q "what" "$TMP/err" &&
	"$FL" export --format folded --what bytes "$TMP/th" 2>"$TMP/err"; test $? -eq 2
'
test_done
