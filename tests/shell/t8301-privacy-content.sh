#!/bin/sh
# What goes into a trace: never the environment; argv unless --no-argv, and
# then in no process of the tree.
. "$(dirname "$0")/lib.sh"

secret=fl-env-secret-$$-$(date +%s%N)
argsecret=fl-arg-secret-$$

test_expect_success 'the environment is never recorded, in any process' '
	FL_TEST_TOKEN=$secret "$FL" record -q -o "$TMP/env" -- \
		sh -c "echo \"\$FL_TEST_TOKEN\" >/dev/null; /bin/true; sh -c true | cat" &&
	test "$(ls "$TMP"/env/*.ndjson | wc -l)" -ge 3 &&
	! grep -r -l "$secret" "$TMP/env"
'

test_expect_success 'argv is recorded by default' '
	"$FL" record -q -o "$TMP/argv" -- sh -c "/bin/echo $argsecret >/dev/null" &&
	grep -q -r "$argsecret" "$TMP/argv"
'

test_expect_success '--no-argv redacts argv in every process and exec event' '
	"$FL" record -q --no-argv -o "$TMP/noargv" -- \
		sh -c "/bin/echo $argsecret >/dev/null; exec /bin/echo $argsecret" >"$TMP/noargv.out" &&
	test "$(cat "$TMP/noargv.out")" = "$argsecret" &&
	test "$(ls "$TMP"/noargv/*.ndjson | wc -l)" -ge 2 &&
	! grep -r -l "$argsecret" "$TMP/noargv" &&
	for f in "$TMP"/noargv/*.ndjson; do
		head -n 1 "$f" | jq -e ".argv == [\"<redacted>\"]" >/dev/null || exit 1
	done
'
test_done
