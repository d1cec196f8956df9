#!/bin/sh
# export --format pprof: a gzip'd profile.proto from a real program (sqlite3
# and python3 traced with --all) that an independent decoder (the npm
# package pprof-format) reads, with the heap report's figures site by site.
. "$(dirname "$0")/lib.sh"
. "$top/tests/shell/export-lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
command -v node >/dev/null && command -v npm >/dev/null || skip_all "node or npm not installed"
[ -x /usr/bin/sqlite3 ] || skip_all "no /usr/bin/sqlite3 to trace"
# Installed once into the build directory, so later runs need no network.
npm_dir=$top/$BUILD/npm
decoder=$npm_dir/node_modules/pprof-format
if [ ! -f "$decoder/package.json" ]; then
	npm install --prefix "$npm_dir" --no-audit --no-fund pprof-format >"$TMP/npm.log" 2>&1 ||
		skip_all "cannot install the pprof-format decoder: $(tail -1 "$TMP/npm.log")"
fi

test_expect_success 'record sqlite3 building and querying a table, with --all' '
	"$FL" record -q --all -o "$TMP/t" -- /usr/bin/sqlite3 ":memory:" \
		"create table t(a, b); with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000) insert into t select i, printf(\"%0100d\", i) from n; create index ti on t(b); select count(*), sum(length(b)) from t;" >"$TMP/out" &&
	grep -q "^20000|2000000\$" "$TMP/out" &&
	"$FL_SAN" report --json --section heap --top 1000000 "$TMP/t" >"$TMP/heap.json"
'

test_expect_success 'export writes a gzip file and refuses to write one to a terminal' '
	"$FL_SAN" export --format pprof -o "$TMP/p.pb.gz" "$TMP/t" &&
	gzip -t "$TMP/p.pb.gz" &&
	if command -v script >/dev/null; then
		script -qec "\"$FL\" export --format pprof \"$TMP/t\"" /dev/null >"$TMP/tty" 2>&1
		test $? -ne 0 && grep -q "\-o FILE" "$TMP/tty"
	fi
'

test_expect_success 'pprof-format decodes it: the four sample types with their units' '
	node - "$decoder" "$TMP/p.pb.gz" >"$TMP/types" <<-\JS &&
	const fs = require("fs"), zlib = require("zlib");
	const { Profile } = require(process.argv[2]);
	const p = Profile.decode(zlib.gunzipSync(fs.readFileSync(process.argv[3])));
	const S = p.stringTable.strings;
	console.log(p.sampleType.map(t => S[t.type] + "/" + S[t.unit]).join(" "));
	JS
	echo "alloc_space/bytes alloc_objects/count inuse_space/bytes faults/count" >"$TMP/want" &&
	diff -u "$TMP/want" "$TMP/types"
'

test_expect_success 'alloc_space equals the heap report site by site' '
	pprof_folded "$decoder" "$TMP/p.pb.gz" alloc_space >"$TMP/alloc" &&
	sites_agree "$TMP/heap.json" "$TMP/alloc" by_bytes bytes
'

test_expect_success 'alloc_objects equals the heap report site by site' '
	pprof_folded "$decoder" "$TMP/p.pb.gz" alloc_objects >"$TMP/objects" &&
	sites_agree "$TMP/heap.json" "$TMP/objects" by_count allocs
'

test_expect_success 'inuse_space equals what the heap report says each site leaked' '
	pprof_folded "$decoder" "$TMP/p.pb.gz" inuse_space >"$TMP/inuse" &&
	sites_agree "$TMP/heap.json" "$TMP/inuse" leaks leaked_bytes
'

test_expect_success 'the totals are the heap report totals, and faults the sampled faults' '
	for v in alloc:bytes objects:allocs; do
		f=${v%:*} k=${v#*:} &&
		got=$(awk "{ s += \$NF } END { printf \"%.0f\", s }" "$TMP/$f") &&
		want=$(jq ".sections.heap.by_bytes + .sections.heap.by_count | unique_by([.key, .stack]) | map(.$k) | add" "$TMP/heap.json") &&
		test "$got" = "$want" || { echo "$f: $got != $want"; exit 1; }
	done &&
	pprof_folded "$decoder" "$TMP/p.pb.gz" faults >"$TMP/faults" &&
	got=$(awk "{ s += \$NF } END { printf \"%.0f\", s }" "$TMP/faults") &&
	want=$("$FL_SAN" export --format folded --what faults "$TMP/t" | awk "{ s += \$NF } END { printf \"%.0f\", s }") &&
	test "$got" = "$want" && test "$got" -gt 0
'

test_expect_success 'python3 --all: the same, with the shim per-site aggregates' '
	printf "keep = [bytearray(1 << 20)]\nx = [str(i) * 3 for i in range(50000)]\n" >"$TMP/prog.py" &&
	"$FL" record -q --all -o "$TMP/py" -- /usr/bin/python3 "$TMP/prog.py" &&
	"$FL_SAN" report --json --section heap --top 1000000 "$TMP/py" >"$TMP/py.json" &&
	"$FL_SAN" export --format pprof -o "$TMP/py.pb.gz" "$TMP/py" &&
	pprof_folded "$decoder" "$TMP/py.pb.gz" alloc_space >"$TMP/py.alloc" &&
	sites_agree "$TMP/py.json" "$TMP/py.alloc" by_bytes bytes &&
	pprof_folded "$decoder" "$TMP/py.pb.gz" inuse_space >"$TMP/py.inuse" &&
	sites_agree "$TMP/py.json" "$TMP/py.inuse" leaks leaked_bytes
'

test_expect_success 'a hostile fault period saturates the faults value, never overflows' '
	{ head -1 "$(ls "$TMP"/t/*.ndjson | head -1)" &&
	  echo "{\"e\":\"faults\",\"t\":1000,\"seq\":5,\"period\":18446744073709551615,\"samples\":[[\"0x1000\",\"0x2000\",1,10,0],[\"0x1000\",\"0x2000\",1,20,0]],\"lost\":0}"
	} >"$TMP/hostile.ndjson" &&
	"$FL_SAN" export --format pprof -o "$TMP/h.pb.gz" "$TMP/hostile.ndjson" &&
	node - "$decoder" "$TMP/h.pb.gz" >"$TMP/hv" <<-\JS &&
	const fs = require("fs"), zlib = require("zlib");
	const { Profile } = require(process.argv[2]);
	const p = Profile.decode(zlib.gunzipSync(fs.readFileSync(process.argv[3])));
	for (const s of p.sample) console.log(String(s.value[3]));
	JS
	echo 9223372036854775807 >"$TMP/want" && diff -u "$TMP/want" "$TMP/hv"
'

test_expect_success 'go tool pprof reads it, where installed' '
	if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
		go tool pprof -raw "$TMP/p.pb.gz" >"$TMP/raw" && grep -q alloc_space "$TMP/raw"
	else
		echo "go tool pprof is not installed: not checked"
	fi
'
test_done
