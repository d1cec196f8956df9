#!/bin/sh
# The reader's fast path (flat lines scanned without jansson) and the plain
# jansson path give the same reports and the same FILE:LINE messages, on
# the hand-written traces, the fuzz corpus, a synthetic trace with broken
# lines mixed in, and real recordings (every heap call, forks and COW
# faults, page-fault samples). FAULTLINE_NO_FAST_PATH=1 turns it off.
. "$(dirname "$0")/lib.sh"

GEN=$top/$BUILD/bench/gen_trace
MB=$top/$BUILD/bench/malloc_bench

# same TRACE: `report --json --no-symbols` both ways, stdout, stderr and status equal.
same() {
	"$FL" report --json --no-symbols "$1" >"$TMP/fast.json" 2>"$TMP/fast.err"
	echo "status $?" >>"$TMP/fast.err"
	FAULTLINE_NO_FAST_PATH=1 "$FL" report --json --no-symbols "$1" >"$TMP/slow.json" 2>"$TMP/slow.err"
	echo "status $?" >>"$TMP/slow.err"
	cmp "$TMP/fast.json" "$TMP/slow.json" && diff -u "$TMP/slow.err" "$TMP/fast.err" || {
		say "differs: $1"
		diff "$TMP/slow.json" "$TMP/fast.json" | head -20
		return 1
	}
}

test_expect_success 'golden traces and the fuzz corpus' '
	for t in tests/golden/tree tests/golden/heap tests/fuzz/corpus/*.ndjson; do
		same "$t" || return 1
	done
'

test_expect_success 'a synthetic trace with broken lines in it' '
	mkdir "$TMP/syn" && "$GEN" 30000 "$TMP/syn" &&
	f=$TMP/syn/4242.ndjson &&
	# Near misses of the fast path: spaces, reals, escapes, duplicate
	# keys, bad hex, wrong types, short rows, trailing junk.
	cat >>"$f" <<-\EOF &&
	{"e":"alloc","t":5, "seq":1,"tid":1,"fn":"malloc","addr":"0x10000010","size":8,"stack":1,"weight":8}
	{"e":"alloc","t":5.5,"seq":2,"tid":1,"fn":"malloc","addr":"0x10000020","size":8,"stack":1,"weight":8}
	{"e":"alloc","t":6,"seq":3,"tid":1,"fn":"m\u0061lloc","addr":"0x10000030","size":8,"stack":1,"weight":8}
	{"e":"alloc","t":7,"seq":4,"tid":1,"fn":"malloc","addr":"0x10000040","size":8,"size":16,"stack":2}
	{"e":"alloc","t":8,"seq":5,"tid":1,"fn":"malloc","addr":"0x1000004g","size":8}
	{"e":"alloc","t":8,"seq":5,"tid":1,"fn":"malloc","addr":"0x00000000000000000010000050","size":8}
	{"e":"alloc","t":8,"seq":5,"tid":1,"fn":"malloc","addr":"0x11000000000000050","size":8}
	{"e":"free","t":9,"seq":6,"tid":1,"addr":268435552,"size":8}
	{"e":"free","t":9,"seq":7,"tid":1,"addr":"0x10000010","size":-8}
	{"e":"alloc","t":10,"seq":8,"tid":1,"addr":"0x10000060","size":99999999999999999999}
	{"e":"alloc","t":11,"seq":9,"tid":1,"addr":"0x10000070","size":8}x
	{"e":"faults","t":12,"seq":10,"samples":[["0x10001000","0x400100",4242,12]]}
	{"e":"faults","t":13,"seq":11,"samples":[["0x10001000","0x400100","4242",13,0]]}
	{"e":"faults","t":14,"seq":12,"period":1,"samples":[["0x10002000","0x400100",4242,14,0],["0x10003000",null,4242,14,0]]}
	{"e":"faults","t":15,"seq":13,"samples":[["0x10004000","0x400100",4242,15,0,"extra",7]]}
	{"e":"residency","t":16,"seq":14,"method":"x","regions":[["0x10000000","0x90000000",1,0,0,1,0,0,-1]]}
	{"e":"io","t":17,"seq":15,"fds":[[3,null,1,2],[4,"/d\u00e9j",1,2]]}
	{"e":"counters","t":18,"seq":16,"minflt":-1,"dtlb_load_misses":true}
	{"e":"counters","t":19,"seq":17,"minflt":3,"rss_anon":null}
	{"e":"alloc","t":20,"seq":18,"tid":1,"fn":"malloc","addr":"0x10000080","size":8,"stack":1,"weight":8
	EOF
	same "$TMP/syn" &&
	test "$(jq .errors "$TMP/fast.json")" -gt 5
'

test_expect_success 'real traces: every heap call, fork and COW, fault samples' '
	"$FL" record -q --all --large 1 -o "$TMP/mb" -- "$MB" 2 20000 >/dev/null &&
	same "$TMP/mb" &&
	test "$(jq .events "$TMP/fast.json")" -gt 40000 &&
	"$FL" record -q -o "$TMP/fork" -- "$SAMPLES/fork_cow" >/dev/null &&
	same "$TMP/fork" &&
	"$FL" record -q --faults all -o "$TMP/wss" -- "$SAMPLES/wss_writer" >/dev/null &&
	same "$TMP/wss"
'
test_done
