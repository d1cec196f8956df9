#!/bin/sh
# Every frame named: libc's internal functions from its separate debug file
# (found by build-id, as addr2line finds it), no frame of the shim or of its
# libunwind in the program's stacks, JIT functions from the perf map.
. "$(dirname "$0")/lib.sh"

# debuginfod would make the result depend on the network.
unset DEBUGINFOD_URLS

"$FL" record -q --all -o "$TMP/libc" -- "$PROGS/p_report_libc" ||
	skip_all "cannot record the test program"
"$FL_SAN" report --json --section heap "$TMP/libc" >"$TMP/libc.json" &&
"$FL" report --json --no-symbols --section heap "$TMP/libc" >"$TMP/libc-nosym.json" ||
	skip_all "cannot report the test program"
libc=$(jq -r "[.. | objects | select(.object? // \"\" | test(\"/libc[.]so\")) | .object][0] // empty" \
	"$TMP/libc-nosym.json")

# The debug file as the standard lookup finds it: by the library's build-id.
debug_file() {
	id=$(readelf -n "$1" | sed -n "s/^ *Build ID: *//p") &&
	echo "/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug"
}
# The ELF virtual address of a file offset, from the PT_LOAD headers.
off_to_vaddr() { # FILE OFFSET (hex)
	readelf -lW "$1" 2>/dev/null | awk '$1 == "LOAD" { print $2, $3, $5 }' |
		while read -r o v n; do
			if [ $(($2)) -ge $((o)) ] && [ $(($2)) -lt $((o + n)) ]; then
				printf "0x%x\n" $(($2 - o + v))
				break
			fi
		done
}

# Whether two names are aliases of one function (addr2line may pick
# __GI__IO_file_doallocate where the exported name is _IO_file_doallocate).
sym_value() { readelf -Ws "$(debug_file "$1")" 2>/dev/null | awk -v n="$2" '{ sub(/@.*/, "", $8) } $8 == n { print $2 }' | sort -u; }
same_function() { # LIB NAME1 NAME2
	test "$2" = "$3" || { v=$(sym_value "$1" "$2") && test -n "$v" && test "$v" = "$(sym_value "$1" "$3")"; }
}

test_expect_success 'a libc-internal allocating frame is named from the debug file, as addr2line names it' '
	test -n "$libc" && test -f "$(debug_file "$libc")" || { say "# no libc debug file"; exit 0; }
	# Sites whose frame is in libc: the same stack ids in both reports.
	jq -r ".sections.heap | .. | objects | select(has(\"stack\") and has(\"site\")) |
		select(.site.object // \"\" | test(\"/libc[.]so\")) | \"\\(.stack) \\(.site.func) \\(.site.file // \"-\"):\\(.site.line // 0)\"" \
		"$TMP/libc.json" | sort -u >"$TMP/named" &&
	test -s "$TMP/named" &&
	checked=0 && internal=0 &&
	while read -r id func fileline; do
		off=$(jq -r "[.sections.heap | .. | objects | select(.stack? == $id and has(\"site\")) | .site.text][0]" \
			"$TMP/libc-nosym.json" | sed -n "s/.*libc[.]so[.0-9]*+\\(0x[0-9a-f]*\\))$/\\1/p") &&
		test -n "$off" && va=$(off_to_vaddr "$libc" "$off") && test -n "$va" &&
		# A return address: the call is the byte before it.
		addr2line -f -e "$libc" $(printf "0x%x" $((va - 1))) >"$TMP/a2l" &&
		want_func=$(sed -n 1p "$TMP/a2l" | sed "s/@.*//") &&
		want_line=$(sed -n 2p "$TMP/a2l" | sed "s|.*/||; s/ .*//") &&
		say "# $func $fileline / addr2line: $want_func $want_line" &&
		same_function "$libc" "$func" "$want_func" && test "${fileline##*/}" = "$want_line" || exit 1
		checked=$((checked + 1))
		# Only the debug file knows it: not an exported name.
		readelf -W --dyn-syms "$libc" | awk "{ sub(/@.*/, \"\", \$8); print \$8 }" |
			grep -qx "$func" || internal=$((internal + 1))
	done <"$TMP/named" &&
	test $checked -gt 0 && test $internal -gt 0
'

# The shim leaves its own frames out of the stacks it records; a trace
# from a shim that did not (or a frame it missed) has them at the top of
# every stack: libunwind's, called by the shim, then the shim's hook.
exec_start() { # TRACE-FILE NAME: start of the executable mapping of that object, plus 16
	jq -r "select(.e == \"maps\") | .vmas[] | select((.[5] | test(\"$2\")) and .[2] == \"r-xp\") | .[0]" "$1" |
		head -1 | { read -r a && printf "0x%x\n" $((a + 16)); }
}
no_shim_frames() { # REPORT.json EXPORT.folded
	jq -e "[.. | objects | select(has(\"frames\")) | (.frames[], .site // empty) | .object // \"\" |
		select(test(\"libfaultline|libunwind\"))] | length == 0" "$1" >/dev/null &&
	# Fault lines name the code that faulted: the shim's own faults are its.
	! grep -v "^fault;" "$2" | grep -q "libfaultline\|libunwind\|fl_[a-z_]* "
}

test_expect_success 'no stack names the shim or libunwind, even when the trace holds their frames' '
	mkdir "$TMP/shim" &&
	for f in "$TMP"/libc/*.ndjson; do
		shim=$(exec_start "$f" libfaultline) && unw=$(exec_start "$f" libunwind) &&
		test -n "$shim" && test -n "$unw" &&
		jq -c --arg s "$shim" --arg u "$unw" \
			"if .e == \"stack\" then .frames = [\$u, \$s, \$s] + .frames else . end" "$f" \
			>"$TMP/shim/$(basename "$f")" || exit 1
	done &&
	"$FL_SAN" report --json "$TMP/shim" >"$TMP/shim.json" &&
	"$FL" export --format folded "$TMP/shim" >"$TMP/shim.folded" &&
	grep -q "libunwind" "$TMP/shim/"*.ndjson &&
	no_shim_frames "$TMP/shim.json" "$TMP/shim.folded" &&
	# The same sites as the trace without those frames.
	jq -c "[.sections.heap | .. | objects | select(has(\"site\")) | .site.text] | sort" "$TMP/libc.json" >"$TMP/want" &&
	jq -c "[.sections.heap | .. | objects | select(has(\"site\")) | .site.text] | sort" "$TMP/shim.json" >"$TMP/got" &&
	diff -u "$TMP/want" "$TMP/got"
'

test_expect_success 'a traced real program: no stack of its report or export names the shim' '
	"$FL" record -q --all -o "$TMP/sort" -- sort -o "$TMP/sorted" tests/progs/p_report_libc.c &&
	"$FL_SAN" report --json "$TMP/sort" >"$TMP/sort.json" &&
	"$FL" export --format folded "$TMP/sort" >"$TMP/sort.folded" &&
	no_shim_frames "$TMP/sort.json" "$TMP/sort.folded"
'

# node writes its perf map as it compiles (and a v8 log in its directory); Buffer.allocUnsafeSlow allocates
# its memory with malloc, called from the compiled JS function.
js='function makeBuffers(n) { let a = []; for (let i = 0; i < n; i++) { a.push(Buffer.allocUnsafeSlow(4096 + i % 7)); if (a.length > 100) a = []; } return a.length; }
let t = 0; for (let k = 0; k < 20; k++) t += makeBuffers(2000); console.log(t);'
js_funcs() { # REPORT.json: the JS function names in its heap stacks
	jq -r "[.sections.heap | .. | objects | select(has(\"frames\")) | .frames[] | .func // empty |
		select(test(\"makeBuffers\"))] | length" "$1"
}
if command -v node >/dev/null 2>&1 &&
	(cd "$TMP" && "$FL" record -q --all -o "$TMP/node" -- node --perf-basic-prof -e "$js" >/dev/null); then
	node_pid=$(ls "$TMP/node" | sed -n "s/^\([0-9]*\)[.]ndjson$/\1/p" | head -1)
	trap 'rm -rf "$TMP" "/tmp/perf-$node_pid.map"' EXIT

	test_expect_success 'node: record keeps the perf map in the trace directory' '
		test -s "/tmp/perf-$node_pid.map" &&
		cmp "/tmp/perf-$node_pid.map" "$TMP/node/perf-$node_pid.map" &&
		test "$(stat -c %Y "$TMP/node/perf-$node_pid.map")" = \
			"$(stat -c %Y "/tmp/perf-$node_pid.map")"
	'

	test_expect_success 'node: the JS function is named from the kept map, after /tmp is cleaned' '
		mv "/tmp/perf-$node_pid.map" "$TMP/perf.map" &&
		"$FL_SAN" report --json --section heap "$TMP/node" >"$TMP/node.json" 2>"$TMP/err" &&
		! test -s "$TMP/err" &&
		test "$(js_funcs "$TMP/node.json")" -gt 0 &&
		jq -e "[.sections.heap | .. | objects | select(has(\"frames\")) | .frames[] |
			select(.func // \"\" | test(\"makeBuffers\")) | .object] | unique == [\"$TMP/node/perf-$node_pid.map\"]" \
			"$TMP/node.json" >/dev/null
	'

	test_expect_success 'node: without the kept map, the one in /tmp names it' '
		mv "$TMP/perf.map" "/tmp/perf-$node_pid.map" &&
		rm "$TMP/node/perf-$node_pid.map" &&
		"$FL_SAN" report --json --section heap "$TMP/node" >"$TMP/tmp.json" 2>"$TMP/err" &&
		! test -s "$TMP/err" &&
		jq -e "[.sections.heap | .. | objects | select(has(\"frames\")) | .frames[] |
			select(.func // \"\" | test(\"makeBuffers\")) | .object] | unique == [\"/tmp/perf-$node_pid.map\"]" \
			"$TMP/tmp.json" >/dev/null
	'

	test_expect_success 'node: a perf map older than the run is refused' '
		touch -r "/tmp/perf-$node_pid.map" "$TMP/mtime" &&
		touch -d 2000-01-01 "/tmp/perf-$node_pid.map" &&
		"$FL_SAN" report --json --section heap "$TMP/node" >"$TMP/old.json" 2>"$TMP/err";
		rc=$? && touch -r "$TMP/mtime" "/tmp/perf-$node_pid.map" && test $rc -eq 0 &&
		grep -q "perf-$node_pid.map. was not written during the run of process $node_pid" "$TMP/err" &&
		test "$(js_funcs "$TMP/old.json")" -eq 0
	'

	test_expect_success 'node: record --force replaces the kept map with the traces' '
		"$FL" record -q --force -o "$TMP/node" -- true &&
		! test -e "$TMP/node/perf-$node_pid.map"
	'
else
	say "# node is not installed, or cannot be traced: JIT frames not tested"
fi

test_done
