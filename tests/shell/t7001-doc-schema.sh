#!/bin/sh
# doc/trace-schema.md documents every event and probe named in schema.h.
. "$(dirname "$0")/lib.sh"

names() { # PREFIX: the string values of #define PREFIX* "value"
	sed -n "s/^#define $1[A-Z0-9_]*[[:space:]]*\"\([^\"]*\)\".*/\1/p" include/faultline/schema.h
}

test_expect_success 'schema.h names events and probes' '
	test "$(names FL_EV_ | wc -l)" -ge 20 && test "$(names FL_PROBE_ | wc -l)" -ge 5
'

test_expect_success 'every FL_EV_* event has a section heading in the doc' '
	missing="" &&
	for ev in $(names FL_EV_); do
		grep -Eq "^## (.*[ /])?$ev([ /(].*)?\$" doc/trace-schema.md || missing="$missing $ev"
	done &&
	{ test -z "$missing" || { echo "undocumented events:$missing"; false; }; }
'

test_expect_success 'every FL_PROBE_* probe is documented' '
	missing="" &&
	for p in $(names FL_PROBE_); do
		grep -q "^| \`$p\` |" doc/trace-schema.md || missing="$missing $p"
	done &&
	{ test -z "$missing" || { echo "undocumented probes:$missing"; false; }; }
'

test_expect_success 'the doc names no event that schema.h lacks' '
	extra="" &&
	for ev in $(sed -n "s/^## \([a-z_ /]*\)\$/\1/p" doc/trace-schema.md | tr "/" " "); do
		names FL_EV_ | grep -qx "$ev" || extra="$extra $ev"
	done &&
	{ test -z "$extra" || { echo "documented but not in schema.h:$extra"; false; }; }
'

test_expect_success 'the documented version is FL_TRACE_VERSION' '
	v=$(sed -n "s/^#define FL_TRACE_VERSION \([0-9]*\)/\1/p" include/faultline/schema.h) &&
	head -1 doc/trace-schema.md | grep -q "version $v\$"
'
test_done
