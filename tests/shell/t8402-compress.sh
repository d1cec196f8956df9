#!/bin/sh
# record compresses by default: the trace is <pid>.ndjson.zst, one zstd
# frame per flush (--no-compress or FAULTLINE_COMPRESS=0: plain .ndjson); zstdcat gives back the NDJSON, the report reads both alike, a
# truncated last frame is skipped with a warning, and --max-size still caps
# the (compressed) file.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0
# What a user gets: lib.sh makes the other tests record plain traces.
unset FAULTLINE_COMPRESS

command -v zstdcat >/dev/null 2>&1 || { say "no zstdcat: skipped"; exit 77; }

test_expect_success 'record writes only <pid>.ndjson.zst by default (and its reaped.jsonl)' '
	mkdir "$TMP/z" &&
	"$FL" record -q --large 1 -o "$TMP/z/run" -- "$PROGS/p_heap_counts" >/dev/null &&
	ls "$TMP/z/run" >"$TMP/names" &&
	grep -q "^[0-9][0-9.]*\.ndjson\.zst\$" "$TMP/names" &&
	! grep -v -e "^[0-9][0-9.]*\.ndjson\.zst\$" -e "^reaped\.jsonl\$" "$TMP/names"
'

# names DIR: "zst" or "plain" for each trace file of DIR
kinds() {
	ls "$1" | sed -n "s/^[0-9][0-9.]*\.ndjson\.zst\$/zst/p; s/^[0-9][0-9.]*\.ndjson\$/plain/p" | sort -u
}

test_expect_success '--no-compress and FAULTLINE_COMPRESS=0 write plain traces, --compress wins' '
	"$FL" record -q --no-compress -o "$TMP/n1" -- true &&
	FAULTLINE_COMPRESS=0 "$FL" record -q -o "$TMP/n2" -- true &&
	FAULTLINE_COMPRESS=0 "$FL" record -q --compress -o "$TMP/n3" -- true &&
	test "$(kinds "$TMP/n1")" = plain && test "$(kinds "$TMP/n2")" = plain &&
	test "$(kinds "$TMP/n3")" = zst &&
	head -n 1 "$TMP"/n1/*.ndjson | jq -e ".e == \"header\"" >/dev/null
'

test_expect_success 'zstdcat gives back NDJSON that starts with the header' '
	mkdir -p "$TMP/u/run" && cp "$TMP/z/run/reaped.jsonl" "$TMP/u/run/" &&
	for f in "$TMP"/z/run/*.zst; do
		b=$(basename "$f" .zst) &&
		zstdcat -q "$f" >"$TMP/u/run/$b" || exit 1
	done &&
	for f in "$TMP"/u/run/*.ndjson; do
		jq -c . "$f" >/dev/null &&
		head -n 1 "$f" | jq -e ".e == \"header\"" >/dev/null || exit 1
	done &&
	test "$(cat "$TMP"/u/run/*.ndjson | grep -c "\"e\":\"alloc\"")" -ge 10
'

test_expect_success 'the compressed and the plain trace report the same' '
	(cd "$TMP/z" && "$FL_SAN" report --json run >"$TMP/z.json") &&
	(cd "$TMP/u" && "$FL_SAN" report --json run >"$TMP/u.json") &&
	diff -u "$TMP/u.json" "$TMP/z.json"
'

# The last frame's start is its magic number (28 b5 2f fd): cutting the
# file inside that frame must read the same as the frames before it.
test_expect_success 'a truncated last frame is skipped with a warning' '
	f=$(ls "$TMP"/z/run/*.zst | head -n 1) && b=$(basename "$f") &&
	size=$(stat -c %s "$f") &&
	last=$(LC_ALL=C grep -obUaP "\x28\xb5\x2f\xfd" "$f" | tail -n 1 | cut -d: -f1) &&
	test "$last" -ge 1 &&
	mkdir -p "$TMP/cut/run" "$TMP/whole/run" &&
	head -c $(( (last + size) / 2 )) "$f" >"$TMP/cut/run/$b" &&
	head -c "$last" "$f" >"$TMP/whole/run/$b" &&
	(cd "$TMP/cut" && "$FL_SAN" report --json run >"$TMP/cut.json" 2>"$TMP/cut.err") &&
	grep -q "last zstd frame is truncated" "$TMP/cut.err" &&
	(cd "$TMP/whole" && "$FL_SAN" report --json run >"$TMP/whole.json" 2>"$TMP/whole.err") &&
	! grep -q truncated "$TMP/whole.err" &&
	diff -u "$TMP/whole.json" "$TMP/cut.json"
'

test_expect_success 'a compressed trace killed with SIGKILL reads up to its last frame' '
	mkdir "$TMP/k" &&
	{ LD_PRELOAD=$LIB FAULTLINE_OUT="$TMP/k" FAULTLINE_COMPRESS=1 FAULTLINE_INTERVAL_MS=20 \
		"$PROGS/p_heap_sample" spin & } &&
	pid=$! && f="$TMP/k/$pid.ndjson.zst" && i=0 &&
	until [ -s "$f" ] && [ "$(zstdcat -q "$f" 2>/dev/null | grep -c "\"e\":\"heap\"")" -ge 4 ]; do
		i=$((i + 1)) && [ $i -le 1200 ] || { kill -KILL $pid; exit 1; }
		sleep 0.05
	done &&
	kill -KILL $pid &&
	{ wait $pid; test $? -eq 137; } &&
	"$FL_SAN" report --json "$TMP/k" >"$TMP/k.json" &&
	jq -e ".processes | length == 1" "$TMP/k.json" >/dev/null
'

test_expect_success '--max-size caps the compressed file and says why it stopped' '
	"$FL" record -q --large 1 --max-size 20000 -o "$TMP/cap" -- \
		"$PROGS/p_stress_threads" 2 20000 4 >/dev/null &&
	for f in "$TMP"/cap/*.zst; do
		test "$(stat -c %s "$f")" -le $((20000 + 16384)) || exit 1
	done &&
	zstdcat -q "$TMP"/cap/*.zst | grep "\"what\":\"stopped\"" |
		jq -e "select(.n == 20000) | .why | test(\"max_size\")" >/dev/null
'
test_done
