#!/bin/sh
# Every byte sequence in argv and in a mapped file's path gives a readable
# trace: the shim writes valid UTF-8 as is and escapes every byte that is not
# part of a valid sequence (surrogates, overlong forms, above U+10FFFF, lone
# continuation bytes, truncated sequences) as \u00XX. One invalid sequence
# in the header used to make the whole trace unreadable.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "needs python3 to compute the expected strings"

# One argument per class: valid 2, 3 and 4 bytes, U+10FFFF, a surrogate,
# overlong 2, 3 and 4 bytes, above U+10FFFF, F5-FF lead bytes, a lone
# continuation byte, a truncated sequence, C0/C1 and a control character.
classes='\303\251 \342\202\254 \360\237\230\200 \364\217\277\277 \355\240\200 \355\277\277
\300\257 \301\277 \340\200\257 \340\237\277 \360\200\200\257 \360\217\277\277
\364\220\200\200 \365\200\200\200 \377 \200 \277x \342\202x \360\237\230 a\033b'

# The expected JSON strings: valid sequences as they are, every other byte
# as the code point of its value (Python's strict decoder agrees with
# RFC 3629 on what is valid).
expect() { # BYTES...
	python3 -c '
import json, os, sys
out = []
for a in sys.argv[1:]:
	b = os.fsencode(a)
	s = b.decode("utf-8", "surrogateescape")
	out.append("".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s))
print(json.dumps(out))' "$@"
}

cat >"$TMP/mapfile.c" <<'PROG'
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		void *p;
		if (fd < 0)
			return 1;
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return 2;
		close(fd);
	}
	return 0;
}
PROG

args() { for c in $classes; do printf "$c\n"; done; }

test_expect_success 'argv with every byte class: the trace reads and argv round-trips, escaped' '
	args >"$TMP/args" &&
	set -- && while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/args" &&
	run_traced "$TMP/a" /bin/echo "$@" >/dev/null &&
	"$FL" report "$TMP/a" >"$TMP/a.report" 2>"$TMP/a.err" &&
	! grep -q "no usable trace\|invalid\|error" "$TMP/a.err" &&
	head -n 1 "$TMP"/a/*.ndjson | jq -c ".argv[1:]" >"$TMP/a.got" &&
	expect "$@" | jq -c . >"$TMP/a.want" &&
	diff -u "$TMP/a.want" "$TMP/a.got"
'

test_expect_success 'mapped files named with every byte class: the trace reads, paths escaped' '
	cc -o "$TMP/mapfile" "$TMP/mapfile.c" &&
	mkdir "$TMP/files" &&
	set -- && while IFS= read -r a; do
		printf x >"$TMP/files/f$a" && set -- "$@" "$TMP/files/f$a"
	done <"$TMP/args" &&
	run_traced "$TMP/m" "$TMP/mapfile" "$@" &&
	"$FL" report "$TMP/m" >/dev/null 2>"$TMP/m.err" &&
	! grep -q "no usable trace\|invalid\|error" "$TMP/m.err" &&
	jq -c "select(.e == \"mmap\") | .path" "$TMP"/m/*.ndjson >"$TMP/m.got" &&
	expect "$@" | jq -c ".[]" >"$TMP/m.want" &&
	diff -u "$TMP/m.want" "$TMP/m.got"
'
test_done
