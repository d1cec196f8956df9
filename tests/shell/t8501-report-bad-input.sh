#!/bin/sh
# The analyzer, built with ASan and UBSan ($FL_SAN), on broken traces: it
# reports what is wrong as "faultline: FILE:LINE: ..." and exits 0 or 1,
# never crashes, never trips a sanitizer.
. "$(dirname "$0")/lib.sh"

seed=tests/fuzz/corpus/seed-8.ndjson
n=$(wc -l <"$seed")
mkdir "$TMP/bad"
i=0
next() { i=$((i + 1)); f=$TMP/bad/case$i.ndjson; }
next; printf '' >"$f"
next; head -c 100 /dev/urandom >"$f"
next; printf '\000\000\000\n' >"$f"
next; head -n 1 "$seed" >"$f"
next; head -c $(( $(wc -c <"$seed") / 2 )) "$seed" >"$f"
next; sed -n '2,$p' "$seed" >"$f"
next; { head -n 1 "$seed"; echo '{"e":"alloc","t":-5,"seq":"x","addr":"0xZZ","size":-1}'; sed -n '2,$p' "$seed"; } >"$f"
next; { head -n 1 "$seed"; echo '{"e":"free","t":1,"seq":2,"addr":"0xffffffffffffffffff","size":18446744073709551615}'; } >"$f"
next; { head -n 1 "$seed"; printf '%s' '{"e":"maps","t":1,"seq":1,"vmas":'; for k in $(seq 1 3000); do printf '['; done; echo; } >"$f"
next; { head -n 1 "$seed"; echo '{"e":"maps","t":1,"seq":1,"vmas":[["0x2000","0x1000","rw-p","0x0",0,""],[1,2,3],null,"x"]}'; } >"$f"
next; { head -n 1 "$seed"; echo '{"e":"stack","t":1,"seq":1,"id":4294967296,"frames":["0x1",7,null]}';
  echo '{"e":"alloc","t":2,"seq":2,"tid":1,"fn":"nosuch","addr":"0x10","size":1,"weight":0,"stack":4294967296}'; } >"$f"
next; { head -n 1 "$seed" | sed 's/"v":1/"v":99/'; sed -n '2,$p' "$seed"; } >"$f"
next; { head -n 1 "$seed" | sed 's/"pid":[0-9]*/"pid":"x"/'; sed -n '2,$p' "$seed"; } >"$f"
next; { head -n 1 "$seed"; echo '{"e":"faults","t":1,"seq":1,"period":0,"lost":-1,"samples":[["0x1","0x2",1,1,1],["x"],[]]}';
  echo '{"e":"residency","t":1,"seq":2,"method":"pagemap","regions":[["0x1000","0x0",1,2,3,4,5,6,-1,-1]]}';
  echo '{"e":"counters","t":1e300,"seq":3,"minflt":null,"rss_anon":-7}';
  echo '{"e":"exit","t":5,"seq":4,"how":"signal","status":1,"signal":999}'; } >"$f"
next; { head -n 1 "$seed"; awk 'NR > 1' "$seed" | sort -r; } >"$f"
next; { head -n 1 "$seed"; awk 'NR > 1' "$seed"; awk 'NR > 1' "$seed"; } >"$f"

test_expect_success "the sanitized analyzer survives $i broken traces" '
	for f in "$TMP"/bad/*.ndjson; do
		"$FL_SAN" report "$f" >"$f.out" 2>"$f.err"
		st=$?
		if [ $st -gt 1 ] || grep -q -E "Sanitizer|runtime error" "$f.err"; then
			say "$f: exit $st"; head -n 20 "$f.err"; exit 1
		fi
	done
'

test_expect_success 'every diagnostic names the file (and the line, for bad lines)' '
	for f in "$TMP"/bad/*.ndjson; do
		if grep -v -E "^faultline: (warning: )?" "$f.err" | grep -q .; then
			say "$f:"; cat "$f.err"; exit 1
		fi
	done
'

test_expect_success 'a bad line is reported with its line number, the rest is read' '
	grep -q "case7.ndjson:2: " "$TMP/bad/case7.ndjson.err" &&
	grep -q "Heap" "$TMP/bad/case7.ndjson.out"
'

test_expect_success 'the same traces as a directory, and with --json' '
	"$FL_SAN" report "$TMP/bad" >/dev/null 2>"$TMP/dir.err"
	test $? -le 1 && ! grep -q -E "Sanitizer|runtime error" "$TMP/dir.err" &&
	"$FL_SAN" report --json "$TMP/bad" >"$TMP/dir.json" 2>/dev/null
	test $? -le 1 && jq -e .sections "$TMP/dir.json" >/dev/null
'
test_done
