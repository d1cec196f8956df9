#!/bin/sh
# A pid used again in one trace directory never overwrites an earlier
# trace: in fresh pid namespaces every run's first process is pid 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

is_root || skip_all "needs root for unshare --pid"
command -v unshare >/dev/null 2>&1 || skip_all "unshare is not installed"
unshare --pid --fork true 2>/dev/null || skip_all "pid namespaces are not available here"

# Each run: unshare (traced, outside) forks pid 1 inside, which execs sh,
# which execs the program: three images of pid 1 per run.
test_expect_success 'three runs as pid 1 in new namespaces: nine pid-1 traces, none lost' '
	mkdir "$TMP/t" &&
	for i in 1 2 3; do
		LD_PRELOAD=$LIB FAULTLINE_OUT=$TMP/t unshare --pid --fork \
			sh -c "exec \"$PROGS/p_proc_exit\" exit $i"; test $? -eq $i || exit 1
	done &&
	ls "$TMP/t" >"$TMP/names" &&
	test "$(grep -c "^1\(\.[0-9]*\)\?\.ndjson$" "$TMP/names")" -eq 9 &&
	proc_events "$TMP/t" | jq -s -e "map(select(.e==\"header\" and .pid==1)) | length == 9" >/dev/null &&
	proc_events "$TMP/t" | jq -s -e "
		map(select(.e==\"exit\" and .how==\"exit\" and .fpid==1) | .status) | sort == [1,2,3]" >/dev/null
'

test_expect_success 'every file still starts with its own header and ends with an exit' '
	for f in "$TMP"/t/*.ndjson; do
		head -n 1 "$f" | jq -e ".e==\"header\"" >/dev/null &&
		tail -n 1 "$f" | jq -e ".e==\"exit\"" >/dev/null || exit 1
	done
'
test_done
