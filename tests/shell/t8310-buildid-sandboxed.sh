#!/bin/sh
# The build-ids in the maps snapshots are read from the process's memory
# with process_vm_readv (probes/buildid.h). A seccomp filter that refuses
# that call (systemd's @system-service, Docker before 20.10) leaves the ids
# of the objects the loader mapped at the start, walked by the shim's
# constructor: a sandboxed echo's libc has the id an unsandboxed one has,
# which is the file's own (readelf -n).
. "$(dirname "$0")/lib.sh"

# libc_id DIR: the build-id the trace of /bin/echo in DIR gives libc
libc_id() {
	for f in "$1"/*.ndjson; do
		grep -q '"exe":"/usr/bin/echo"\|"exe":"/bin/echo"' "$f" || continue
		jq -r 'select(.e == "maps") | .vmas[] | select(.[3] == "0x0" and (.[5] | test("/libc[.]so")))
			| .[6] // "none"' "$f" | head -1
	done
}

test_expect_success 'a process that may not call process_vm_readv still has its ids' '
	run_traced "$TMP/s" "$PROGS/p_seccomp_exec" process_vm_readv=1 -- /bin/echo hello >"$TMP/s.out" &&
	run_traced "$TMP/u" /bin/echo hello >"$TMP/u.out" &&
	s=$(libc_id "$TMP/s") && u=$(libc_id "$TMP/u") &&
	libc=$(ldd /bin/echo | sed -n "s/.*libc[.]so[.]6 => \([^ ]*\).*/\1/p") &&
	want=$(readelf -n "$libc" | sed -n "s/.*Build ID: //p") &&
	echo "sandboxed $s, not $u, readelf $want" &&
	test -n "$want" && test "$s" = "$want" && test "$u" = "$want"
'
test_done
