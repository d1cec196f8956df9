#!/bin/sh
# Processes and execs of a shell pipeline with a command substitution,
# against `strace -f -e trace=process` of the same command run natively:
# each pid in its log is a process (nothing here starts threads), every
# successful execve after the first (strace starting sh) an exec.
# Exact.
. "$(dirname "$0")/lib.sh"
real_tool strace strace
cmd='ls / | sort | head -n 3 >/dev/null; x=$(date +%Y); echo "$x" | wc -c >/dev/null; /bin/true'
strace -f -qq -o "$TMP/strace" -e trace=process sh -c "$cmd" || exit 1
real_record "$TMP/t" -- sh -c "$cmd" && real_report "$TMP/t" || exit 1
forks=$(($(awk '{ print $1 }' "$TMP/strace" | sort -u | wc -l) - 1))
# A call another process interrupted ends in a "<... execve resumed>" line.
execs=$(grep -E '(execve\(|<\.\.\. execve resumed>).*= 0$' "$TMP/strace" | wc -l)
real_compare "tree children (processes created) vs strace forks" \
	"$(real_get "$TMP/t" .sections.tree.children)" "$forks" exact
real_compare "tree execs vs strace execve (after the first)" \
	"$(real_get "$TMP/t" .sections.tree.execs)" $((execs - 1)) exact
real_compare "summary processes vs strace (1 + forks)" \
	"$(real_get "$TMP/t" '[.sections.tree.processes[].pid] | unique | length')" $((forks + 1)) exact
test_done
