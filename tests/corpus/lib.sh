# Real-program corpus: runs one program natively and under `faultline record`
# and checks that the traced run behaves exactly like the native one (stdout,
# stderr, exit status) and that its trace reads cleanly.
#
# A case is tests/corpus/<name>.sh defining:
#   case_setup          prepare inputs in $SRC (untraced, once, in the test's
#                       shell: variables it sets are seen by case_run); may skip_all
#   case_run            the workload; prefix each program under test with $RUN
#                       (empty natively, a function that runs `faultline record`
#                       into a directory of its own when traced);
#                       runs in an empty working directory, relative paths only
#   case_filter         optional: stdout filter for output that varies by run
#                       (throughput figures); the default is cat
#   case_errfilter      the same for stderr
#   CASE_STATUS         the exit status the workload is meant to end with (0)
# Sourced after tests/shell/lib.sh.

CORPUS=$top/tests/corpus
ROWS=$top/$BUILD/corpus
mkdir -p "$ROWS"

case_filter() { cat; }
case_errfilter() { cat; }

# corpus_apt PACKAGE FILE: installs a Debian package when FILE is missing
# (root only), or skips the test saying why.
corpus_apt() {
	[ -e "$2" ] && return 0
	is_root || skip_all "$1 is not installed and installing it needs root"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$1" >"$TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$TMP/apt.log" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "$1" >>"$TMP/apt.log" 2>&1; } ||
		skip_all "cannot install $1: $(tail -n 1 "$TMP/apt.log")"
	[ -e "$2" ] || skip_all "$1 installed but $2 is missing"
}

# `record` writes each run into a directory of its own (it refuses to merge
# runs), and a workload may run several programs, some at once: each gets a
# fresh directory, and _corpus_gather puts their files together afterwards, so
# that the checks read the workload as one trace.
_corpus_record() {
	_d=$(mktemp -d "$TMP/traced/runs/r.XXXXXX") || return 125
	"$FL" record -q -o "$_d" -- "$@"
}

_corpus_gather() {
	mkdir -p "$TMP/traced/trace" &&
	for _f in "$TMP"/traced/runs/*/*.ndjson; do
		[ -e "$_f" ] || continue
		# Two runs whose processes had the same pid: say so, never overwrite.
		mv -n "$_f" "$TMP/traced/trace/" && ! [ -e "$_f" ] ||
			{ echo "corpus: two traces named $(basename "$_f")" >&2; return 1; }
	done
}

# The native and the traced run execute in directories with the same name
# below different parents, so relative paths in the output match.
_corpus_run() { # native|traced
	_base=$TMP/$1
	mkdir -p "$_base/w" || return 1
	if [ "$1" = traced ]; then
		mkdir -p "$_base/runs" || return 1
		RUN=_corpus_record
	else
		RUN=
	fi
	(cd "$_base/w" && case_run) >"$_base/out.raw" 2>"$_base/err"
	echo $? >"$_base/status"
	if [ "$1" = traced ]; then
		_corpus_gather || echo 1 >"$_base/status"
	fi
	case_filter <"$_base/out.raw" >"$_base/out"
	case_errfilter <"$_base/err" >"$_base/err.f"
}

# Count trace lines; check that every one is a JSON object with "e", that every
# file starts with a header, and that `faultline report` (once it exists) reads
# the trace without an error.
_corpus_check_trace() {
	_t=$TMP/traced/trace
	ls "$_t"/*.ndjson >/dev/null 2>&1 || { say "no trace files in $_t"; return 1; }
	for _f in "$_t"/*.ndjson; do
		head -n 1 "$_f" | jq -e '.e == "header"' >/dev/null ||
			{ say "$_f: first line is not a header"; return 1; }
		jq -e 'has("e")' "$_f" >/dev/null 2>"$TMP/jq.err" ||
			{ say "$_f: a line is not a JSON event"; cat "$TMP/jq.err"; return 1; }
	done
	if "$FL" report --help >/dev/null 2>&1; then
		"$FL_SAN" report "$_t" >"$TMP/report.out" 2>"$TMP/report.err" ||
			{ say "faultline report failed:"; cat "$TMP/report.err"; return 1; }
		if grep -v '^faultline: warning: .*truncated' "$TMP/report.err" | grep -q .; then
			say "faultline report wrote diagnostics:"
			cat "$TMP/report.err"
			return 1
		fi
	fi
	return 0
}

# corpus_check NAME: the whole comparison for tests/corpus/NAME.sh.
corpus_check() {
	NAME=$1
	CASE_STATUS=0
	. "$CORPUS/$NAME.sh"
	SRC=$TMP/src
	mkdir -p "$SRC"
	rm -f "$ROWS/$NAME.row"
	cd "$SRC" && case_setup || exit 1
	cd "$top" || exit 1
	_corpus_run native
	_corpus_run traced

	test_expect_success "$NAME: native run ends with status $CASE_STATUS" '
		test "$(cat "$TMP/native/status")" -eq "$CASE_STATUS" || { cat "$TMP/native/err"; false; }
	'
	test_expect_success "$NAME: same exit status traced" '
		test "$(cat "$TMP/native/status")" = "$(cat "$TMP/traced/status")" ||
			{ cat "$TMP/traced/err"; false; }
	'
	test_expect_success "$NAME: same stdout traced" '
		test -s "$TMP/native/out" && diff -u "$TMP/native/out" "$TMP/traced/out" >"$TMP/d.out" ||
			{ head -40 "$TMP/d.out"; false; }
	'
	test_expect_success "$NAME: same stderr traced" '
		diff -u "$TMP/native/err.f" "$TMP/traced/err.f"
	'
	test_expect_success "$NAME: the trace reads cleanly" '_corpus_check_trace'

	_same=no
	cmp -s "$TMP/native/out" "$TMP/traced/out" && cmp -s "$TMP/native/err.f" "$TMP/traced/err.f" &&
		_same=yes
	_files=$(ls "$TMP"/traced/trace/*.ndjson 2>/dev/null | wc -l)
	_events=$(cat "$TMP"/traced/trace/*.ndjson 2>/dev/null | wc -l)
	printf '%s\t%s\t%s/%s\t%s\t%s\t%s\n' "$NAME" "$_same" "$(cat "$TMP/native/status")" \
		"$(cat "$TMP/traced/status")" "$_files" "$_events" "$_fails" >"$ROWS/$NAME.row"
}
