# Helpers for the probe tests (t3xxx): jq filters and the program runs.
# Sourced after lib.sh.

# jq: "0x..." -> number (user addresses are below 2^53, exact in a double)
JQ_HEX='def hex: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 +
	(if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end));'

# trace_of DIR: the one trace file in DIR (the first if several)
trace_of() { ls "$1"/*.ndjson | head -1; }

# kv FILE KEY: value of KEY=... from a program's "k=v k=v" output
kv() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | head -1; }

# uffd_wp_missing TRACE-FILE: where the header says --wss write tracking is
# off, prints what this machine lacks for it and succeeds; fails when the
# machine has what it needs (then the probe should have worked): Linux 6.7+
# (PAGEMAP_SCAN, userfaultfd WP_ASYNC), userfaultfd in the kernel, no
# seccomp filter refusing it, and the kernel's PTE_MARKER_UFFD_WP.
uffd_wp_missing() {
	_p=$(head -1 "$1" | jq -c .probes.uffd_wp)
	[ "$(echo "$_p" | jq .ok)" = true ] && return 1
	_e=$(echo "$_p" | jq .errno)
	if ! kernel_at_least 6 7; then
		echo "Linux $(uname -r) has no PAGEMAP_SCAN or userfaultfd WP_ASYNC (6.7+)"
		return 0
	fi
	_cfg=$( { zcat /proc/config.gz || cat "/boot/config-$(uname -r)"; } 2>/dev/null)
	case $_e in
	38) [ -e /proc/sys/vm/unprivileged_userfaultfd ] && return 1
		echo "this kernel is built without userfaultfd" ;;
	1 | 13) grep -q "^Seccomp:[[:space:]]*2" /proc/self/status || return 1
		echo "userfaultfd is refused under this seccomp filter ($(echo "$_p" | jq -r .why))" ;;
	25 | 95) [ -n "$_cfg" ] && ! echo "$_cfg" | grep -q "^CONFIG_PTE_MARKER_UFFD_WP=y" || return 1
		echo "this kernel is built without CONFIG_PTE_MARKER_UFFD_WP" ;;
	*) return 1 ;;
	esac
}
