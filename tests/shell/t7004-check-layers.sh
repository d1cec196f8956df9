#!/bin/sh
# build-aux/check-layers fails on an include against the stage order and on a
# cycle of more than two modules, and passes a tree that has neither.
. "$(dirname "$0")/lib.sh"

check_layers() { sh "$top/build-aux/check-layers" "$@"; }

# src FILE [INCLUDE...]: a source file in the fake tree with those includes.
src() {
	_f=$tree/$1
	shift
	mkdir -p "$(dirname "$_f")" &&
	{
		echo "/* fake */"
		for _i in "$@"; do echo "#include \"$_i\""; done
	} >"$_f"
}

# A small tree in the right order: each stage includes the one below, the
# contract, its own folder, and one two-way pair (allowed: two modules).
clean_tree() {
	tree=$1 &&
	src preload/base/sys.h &&
	src preload/base/sys.c base/sys.h &&
	src preload/trace/writer.h faultline/schema.h &&
	src preload/trace/writer.c trace/writer.h base/sys.h &&
	src preload/record/sites.h &&
	src preload/record/sites.c record/sites.h record/thread.h trace/writer.h &&
	src preload/record/thread.h &&
	src preload/record/thread.c record/thread.h record/sites.h &&
	src preload/probes/perf.c trace/writer.h base/sys.h &&
	src preload/session/init.c record/thread.h probes/perf.h trace/writer.h &&
	src preload/probes/perf.h &&
	src preload/hooks/hooks_alloc.c session/init.h record/thread.h base/sys.h &&
	src preload/session/init.h faultline/compiler.h &&
	src analyzer/util/diag.h faultline/compiler.h &&
	src analyzer/util/diag.c util/diag.h &&
	src analyzer/read/reader.h util/diag.h &&
	src analyzer/model/model.h read/reader.h &&
	src analyzer/model/model.c model/model.h util/diag.h &&
	src analyzer/reports/report.h model/model.h &&
	src analyzer/render/html.h reports/report.h &&
	src analyzer/render/html.c render/html.h reports/report.h &&
	src analyzer/export/export.h reports/report.h &&
	src analyzer/export/folded.c export/export.h reports/report.h &&
	src analyzer/cmd/main.c render/html.h export/export.h reports/report.h util/diag.h
}

test_expect_success 'a tree in stage order, with one two-way pair, passes' '
	clean_tree "$TMP/clean" &&
	check_layers "$TMP/clean" >"$TMP/out" &&
	test "$(cat "$TMP/out")" = "check-layers: ok"
'

test_expect_success 'an include of a higher stage fails, naming file:line' '
	clean_tree "$TMP/up" &&
	src preload/trace/writer.c trace/writer.h base/sys.h record/thread.h &&
	! check_layers "$TMP/up" >"$TMP/out" &&
	grep -q "^preload/trace/writer.c:4: \"record/thread.h\": preload/trace/ may not include preload/record/" "$TMP/out" &&
	test "$(grep -c "^preload/\|^analyzer/" "$TMP/out")" = 1
'

test_expect_success 'siblings (render and export) may not include each other' '
	clean_tree "$TMP/sib" &&
	src analyzer/export/folded.c export/export.h reports/report.h render/html.h &&
	! check_layers "$TMP/sib" >"$TMP/out" &&
	grep -q "^analyzer/export/folded.c:4: \"render/html.h\": .* are siblings" "$TMP/out"
'

test_expect_success 'the analyzer may not include the shim (only include/ is shared)' '
	clean_tree "$TMP/cross" &&
	src analyzer/model/model.c model/model.h ../../preload/record/thread.h &&
	! check_layers "$TMP/cross" >"$TMP/out" &&
	grep -q "^analyzer/model/model.c:3: .*analyzer/ may not include preload/" "$TMP/out"
'

test_expect_success 'a cycle of three modules in one folder fails, reported once' '
	clean_tree "$TMP/cycle" &&
	src analyzer/model/a.c model/b.h &&
	src analyzer/model/b.c model/c.h &&
	src analyzer/model/c.c model/a.h &&
	src analyzer/model/a.h && src analyzer/model/b.h && src analyzer/model/c.h &&
	! check_layers "$TMP/cycle" >"$TMP/out" &&
	test "$(grep -c "^cycle of" "$TMP/out")" = 1 &&
	grep -q "^cycle of 3 modules: analyzer/model/a analyzer/model/b analyzer/model/c\$" "$TMP/out" &&
	grep -q "^	analyzer/model/c.c:2: \"model/a.h\"\$" "$TMP/out"
'

test_expect_success 'two-way pairs that close a ring are a cycle; a chain of pairs is not' '
	clean_tree "$TMP/chain" &&
	src analyzer/util/a.c util/b.h &&
	src analyzer/util/b.c util/a.h util/c.h &&
	src analyzer/util/c.c util/b.h &&
	src analyzer/util/a.h && src analyzer/util/b.h && src analyzer/util/c.h &&
	check_layers "$TMP/chain" >"$TMP/out" &&
	src analyzer/util/a.c util/b.h util/c.h &&
	src analyzer/util/c.c util/b.h util/a.h &&
	! check_layers "$TMP/chain" >"$TMP/out" &&
	grep -q "^cycle of 3 modules: analyzer/util/a analyzer/util/b analyzer/util/c\$" "$TMP/out"
'

test_expect_success 'a file outside the stage folders fails' '
	clean_tree "$TMP/stray" &&
	src preload/stray.c base/sys.h &&
	! check_layers "$TMP/stray" >"$TMP/out" &&
	grep -q "^preload/stray.c: not in a stage folder" "$TMP/out"
'
test_done
