#!/bin/sh
# Real programs behave exactly as natively under `faultline record`, in the
# default mode and with --all: same stdout, stderr and exit status, and the
# traces they leave parse.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
sql() {
	echo "create table t(a integer primary key, b text, c real);"
	i=0
	while [ $i -lt 3000 ]; do
		echo "insert into t(b, c) values ('row $i', $i * 1.5);"
		i=$((i + 1))
	done
	echo "select count(*), sum(c), max(b) from t; select b from t where a % 997 = 0;"
}
sql >"$TMP/inserts.sql"

# same NAME CMD...: runs CMD natively and traced (both modes) in $TMP/run,
# compares output and status.
same() {
	name=$1
	shift
	for mode in default all; do
		opt=
		[ $mode = all ] && opt=--all
		test_expect_success "$name ($mode): same output and exit status as native" "
			rm -rf \"\$TMP/run\" && mkdir \"\$TMP/run\" && cd \"\$TMP/run\" &&
			{ $*; echo \"status \$?\"; } >\"\$TMP/native.out\" 2>\"\$TMP/native.err\" &&
			rm -rf \"\$TMP/run\" && mkdir \"\$TMP/run\" && cd \"\$TMP/run\" &&
			{ \"\$FL\" record -q $opt -o \"\$TMP/tr-$name-$mode\" -- $*; echo \"status \$?\"; } >\"\$TMP/traced.out\" 2>\"\$TMP/traced.err\" &&
			diff -u \"\$TMP/native.out\" \"\$TMP/traced.out\" &&
			diff -u \"\$TMP/native.err\" \"\$TMP/traced.err\" &&
			for f in \"\$TMP/tr-$name-$mode\"/*.ndjson; do jq -c . \"\$f\" >/dev/null || exit 1; done &&
			cat \"\$TMP/tr-$name-$mode\"/*.ndjson |
				jq -s -e \"[.[] | select(.e == \\\"heap\\\") | .calls.malloc] | max > 0\" >/dev/null
		"
	done
}

# / changes under us: /proc's link count is the number of processes, and
# other programs create files in /tmp and /run. Those link counts are masked
# and a difference must show up in 3 native/traced pairs in a row to count.
# Runs of spaces are squeezed: ls pads the link-count column to its widest
# entry, so /tmp passing 99 links re-aligns every line.
lsroot_mask() {
	tr -s ' ' | sed -E "s/^(d[^ ]+) [0-9]+ (.* (proc|tmp|run))$/\\1 N \\2/"
}
for mode in default all; do
	opt=
	[ $mode = all ] && opt=--all
	test_expect_success "ls -la / ($mode): same output and exit status as native" "
		for try in 1 2 3; do
			{ ls -la /; echo \"status \$?\"; } 2>&1 | lsroot_mask >\"\$TMP/native.out\" &&
			{ \"\$FL\" record -q $opt -o \"\$TMP/tr-ls-$mode-\$try\" -- ls -la /; echo \"status \$?\"; } 2>&1 | lsroot_mask >\"\$TMP/traced.out\" &&
			diff -u \"\$TMP/native.out\" \"\$TMP/traced.out\" && exit 0
		done
		exit 1
	"
done
if [ -x "$PY" ]; then
	same python "$PY" -c "'
import json, collections
d = {str(i): [i] * (i % 7) for i in range(60000)}
c = collections.Counter(len(v) for v in d.values())
s = sorted(d.items(), key=lambda kv: (len(kv[1]), kv[0]))[:3]
print(json.dumps([sorted(c.items()), s, sum(map(len, d.values()))]))
'"
fi
if command -v git >/dev/null 2>&1; then
	same git-version git --version
	same git-init git init -q repo \&\& git -C repo status --short \&\& ls repo/.git
fi
if command -v sqlite3 >/dev/null 2>&1; then
	same sqlite sqlite3 :memory: \<\"\$TMP/inserts.sql\"
fi
if command -v perl >/dev/null 2>&1; then
	same perl perl -e "'my %h; \$h{\$_ % 1000} .= \"x\" for 1..100000; print join(\",\", map { length \$h{\$_} } 0..9), \"\\n\"; exit 3'"
fi
same bash bash -c "'seq 1 20000 | sort -r | head -n 3 | tr 0-9 a-j; exit 5'"
test_done
