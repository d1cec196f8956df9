# Real-program accuracy cases: a program we did not write runs once under
# `faultline record` (bounded: --max-size, small inputs, a timeout), an oracle
# that is not faultline gives the same figure, and the two must agree within
# the case's stated tolerance. Each case is tests/real/NAME.sh; it sources
# this file (which sources tests/shell/lib.sh) and calls real_compare for
# each figure. Every comparison also writes one row to $BUILD/real/NAME.rows
# (tab separated: case, figure, faultline, oracle, tolerance, ok|FAIL), which
# `sh tests/run.sh real` prints as a table at the end.
. "$(dirname "$0")/../shell/lib.sh"

REAL_NAME=$(basename "$0" .sh)
REAL_ROWS=$top/$BUILD/real
mkdir -p "$REAL_ROWS"
rm -f "$REAL_ROWS/$REAL_NAME.rows"
# No run may outlive this many seconds, nor write more than this per file.
REAL_TIMEOUT=${REAL_TIMEOUT:-300}
REAL_MAX_SIZE=${REAL_MAX_SIZE:-268435456}

# REAL_KEEP=1 keeps the traces, reports and oracle outputs (path printed).
if [ -n "${REAL_KEEP:-}" ]; then
	trap - EXIT
	say "# kept in $TMP"
fi

[ -x "$FL" ] || skip_all "$FL is not built (make all)"
command -v jq >/dev/null || skip_all "jq is missing"

# real_record DIR [record options] -- PROGRAM ARGS...: one bounded traced run.
real_record() {
	_dir=$1
	shift
	rm -rf "$_dir"
	timeout -k 5 "$REAL_TIMEOUT" "$FL" record -q --max-size "$REAL_MAX_SIZE" -o "$_dir" "$@"
}

# real_report DIR: `faultline report --json DIR` into DIR.json (the sanitized
# CLI when built, as the shell tests do).
real_report() {
	timeout -k 5 "$REAL_TIMEOUT" "$FL_SAN" report --json "$1" >"$1.json" 2>"$1.report.err" ||
		{ say "faultline report failed:"; cat "$1.report.err"; return 1; }
}

# real_get DIR JQ: one figure of DIR's report (jq -r on DIR.json).
real_get() {
	jq -r "$2" "$1.json"
}

# real_tool PACKAGE PROGRAM: installs PACKAGE with apt when PROGRAM is missing
# (root only), else skips the case saying why.
real_tool() {
	command -v "$2" >/dev/null 2>&1 && return 0
	is_root || skip_all "$2 is missing and installing $1 needs root"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$1" >"$TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$TMP/apt.log" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "$1" >>"$TMP/apt.log" 2>&1; } ||
		skip_all "cannot install $1: $(tail -n 1 "$TMP/apt.log")"
	command -v "$2" >/dev/null 2>&1 || skip_all "$1 installed but $2 is missing"
}

# real_python: a python3 that is the interpreter itself, not a wrapper script
# (pyenv's shims are shell scripts that would add processes of their own).
real_python() {
	for _py in /usr/bin/python3 /usr/local/bin/python3; do
		[ -x "$_py" ] && { echo "$_py"; return 0; }
	done
	skip_all "no /usr/bin/python3"
}

# time_v FILE FIELD: one field of a `/usr/bin/time -v` log, by its label.
time_v() {
	sed -n "s/^[[:space:]]*$2: //p" "$1"
}

# real_compare FIGURE FAULTLINE ORACLE TOLERANCE: passes when FAULTLINE is
# within TOLERANCE of ORACLE. TOLERANCE is "exact", "N%" (of the oracle) or
# "+-N" (absolute); "N%+-M" passes when either holds. A faultline figure that
# is null or empty fails: not measured is not agreement.
real_compare() {
	_fig=$1 _got=$2 _want=$3 _tol=$4
	case $_want in '' | null | *[!0-9-]*)
		say "$_fig: the oracle gave no figure ('$_want')"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$REAL_NAME" "$_fig" "$_got" "none" "$_tol" FAIL \
			>>"$REAL_ROWS/$REAL_NAME.rows"
		_fails=$((_fails + 1))
		return 1 ;;
	esac
	_ok=$(awk -v g="$_got" -v w="$_want" -v t="$_tol" 'BEGIN {
		if (g !~ /^-?[0-9]+(\.[0-9]+)?$/) { print "no"; exit }
		d = g - w; if (d < 0) d = -d
		ok = 0
		if (t == "exact") ok = (d == 0)
		n = split(t, part, "%")
		if (n == 2 && part[1] != "") {
			a = w < 0 ? -w : w
			if (d <= a * part[1] / 100) ok = 1
			t = part[2]
		}
		if (t ~ /^\+-[0-9]+$/ && d <= substr(t, 3) + 0) ok = 1
		print ok ? "yes" : "no"
	}')
	_res=FAIL
	[ "$_ok" = yes ] && _res=ok
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$REAL_NAME" "$_fig" "$_got" "$_want" "$_tol" "$_res" \
		>>"$REAL_ROWS/$REAL_NAME.rows"
	_count=$((_count + 1))
	if [ "$_res" = ok ]; then
		say "ok $_count - $_fig: faultline $_got, oracle $_want (tolerance $_tol)"
		return 0
	fi
	say "not ok $_count - $_fig: faultline $_got, oracle $_want (tolerance $_tol)"
	_fails=$((_fails + 1))
	return 1
}

# status_peaks_run DIR: python (through ctypes: the libc malloc the shim
# hooks) mallocs 1 GiB, touches every page, frees it, and then prints its own
# VmHWM and VmPeak from /proc/self/status (high-water marks: reading them last
# covers the whole run). Traced once; DIR.out holds the program's figures.
STATUS_PEAKS_PY='
import ctypes
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
size = 1 << 30
p = libc.malloc(size)
assert p
ctypes.memset(p, 1, size)
libc.free(p)
status = dict(l.split(":", 1) for l in open("/proc/self/status"))
for k in ("VmHWM", "VmPeak"):
    print(k, int(status[k].split()[0]) * 1024)
'
status_peaks_run() {
	_py=$(real_python) &&
	real_record "$1" -- "$_py" -c "$STATUS_PEAKS_PY" >"$1.out" && real_report "$1"
}

# status_peaks_native OUT: the same program run natively (no shim), its
# figures in OUT: what the program's own peaks are without faultline's
# mappings beside them.
status_peaks_native() {
	_py=$(real_python) && "$_py" -c "$STATUS_PEAKS_PY" >"$1"
}

# redis_bgsave_run DIR MODE: a traced redis-server on a free loopback port
# holds 60,000 keys of 512 bytes; a BGSAVE (slowed by rdb-key-save-delay, a 1 us sleep every other key, so
# clients write during it) runs while a client either overwrites every key
# (MODE overwrite) or adds as many new keys (MODE add). Leaves redis's own
# `INFO persistence` rdb_last_cow_size in DIR.cow (bytes).
redis_bgsave_run() {
	_dir=$1 _mode=$2
	real_tool redis-server redis-server
	real_tool redis-tools redis-cli
	_port=$(free_port) || skip_all "no free loopback port"
	mkdir -p "$TMP/redis" || return 1
	real_record "$_dir" -- redis-server --bind 127.0.0.1 --port "$_port" --save "" \
		--appendonly no --protected-mode yes --daemonize no --dir "$TMP/redis" \
		>"$TMP/redis/server.log" 2>&1 &
	_spid=$!
	_i=0
	until redis-cli -p "$_port" ping >/dev/null 2>&1; do
		_i=$((_i + 1))
		if ! kill -0 "$_spid" 2>/dev/null || [ $_i -ge 600 ]; then
			kill "$_spid" 2>/dev/null
			say "redis-server did not start:"
			cat "$TMP/redis/server.log"
			return 1
		fi
		sleep 0.1
	done
	_cli="redis-cli -p $_port"
	redis_keys key 0 >"$TMP/redis/fill" && redis_keys key 1 >"$TMP/redis/overwrite" &&
	redis_keys new 1 >"$TMP/redis/add" &&
	$_cli --pipe <"$TMP/redis/fill" >/dev/null &&
	$_cli config set rdb-key-save-delay -2 >/dev/null &&
	$_cli bgsave >/dev/null &&
	$_cli --pipe <"$TMP/redis/$_mode" >/dev/null || { kill "$_spid"; return 1; }
	_i=0
	while $_cli info persistence | grep -q '^rdb_bgsave_in_progress:1'; do
		_i=$((_i + 1))
		[ $_i -lt 1200 ] || { say "BGSAVE did not end"; kill "$_spid"; return 1; }
		sleep 0.1
	done
	$_cli info persistence | tr -d '\r' >"$TMP/redis/info"
	$_cli shutdown nosave >/dev/null 2>&1
	wait "$_spid"
	grep -q '^rdb_last_bgsave_status:ok' "$TMP/redis/info" ||
		{ say "BGSAVE failed:"; cat "$TMP/redis/info"; return 1; }
	sed -n 's/^rdb_last_cow_size://p' "$TMP/redis/info" >"$_dir.cow"
	real_report "$_dir"
}

# redis_keys PREFIX SEED: SET commands for 60,000 keys of 512-byte values
# (redis-cli --pipe input).
redis_keys() {
	awk -v p="$1" -v s="$2" 'BEGIN {
		v = sprintf("%0512d", s)
		for (i = 0; i < 60000; i++) {
			k = p ":" i
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$512\r\n%s\r\n", length(k), k, v
		}
	}'
}

# redis_cow_figure DIR: the child's private anonymous memory at its end
# (cow child_private_end, in bytes) of the fork that ran the BGSAVE (the one
# traced child redis-server forked). rdb_last_cow_size is the Private_Dirty
# the child reads from its own smaps when the save is done: pages either side
# copied (when the parent copies, the child's page becomes private too),
# shared pages the parent let go, and memory new in the child; not only the
# copies (bytes_copied). Read under faultline, it also counts faultline's own
# private pages in the child, which the report keeps apart from the
# program's (child_shim_private_end): both are added here, like for like.
redis_cow_figure() {
	real_get "$1" '[.sections.cow.forks[] | select(.child_traced)] |
		if length != 1 then "forks: \(length)"
		elif .[0].child_shim_private_end == null then "faultline'"'"'s own pages: not measured"
		else (.[0].child_private_end + .[0].child_shim_private_end) * 4096 end'
}

# python_fork_run DIR: python fills a 128 MiB bytearray (32,768 pages), forks;
# the child writes one byte in each page of the first quarter (8,192 copies)
# and tells the parent, which then writes each page of the second half
# (16,384 copies: the pages the child wrote are no longer shared, so the
# parent writes none of those), and the child exits with os._exit (no
# interpreter teardown writing its own pages).
python_fork_run() {
	_py=$(real_python) &&
	real_record "$1" -- "$_py" -c '
import os
PAGE, N = 4096, 32768
buf = bytearray(b"\1") * (PAGE * N)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    for i in range(0, N // 4):
        buf[i * PAGE] = 2
    os.write(w, b"x")
    os.read(r2, 1)
    os._exit(0)
os.read(r, 1)
for i in range(N // 2, N):
    buf[i * PAGE] = 3
os.write(w2, b"x")
os.waitpid(pid, 0)
' && real_report "$1"
}

# scan_file FILE MIB: a file of MIB MiB of non-zero bytes on a disk-backed
# file system (skips where there is no room or its pages cannot be dropped).
scan_file() {
	need_space "$(dirname "$1")" $(($2 * 2 + 256))
	dd if=/dev/urandom of="$1.chunk" bs=1M count=1 status=none &&
	for _i in $(seq "$2"); do cat "$1.chunk"; done >"$1" && rm -f "$1.chunk" || return 1
	droppable "$1" || skip_all "cannot make a file cold here: $_why"
}

# mmap_scan_run DIR FILE cold|warm [random]: python maps FILE (random:
# MADV_RANDOM, no readahead, so each page read from disk is one major fault),
# reads one byte of every page, and prints the mapping's Rss from its own /proc/self/smaps
# (pages, read while mapped); /usr/bin/time -v (traced too, a separate
# process) gives python's own major faults in DIR.time. cold drops FILE from
# the page cache first; warm reads it once untraced first.
mmap_scan_run() {
	_py=$(real_python) || return 1
	[ -x /usr/bin/time ] || real_tool time /usr/bin/time
	if [ "$3" = cold ]; then
		droppable "$2" || skip_all "cannot make a file cold here: $_why"
	else
		cat "$2" >/dev/null
	fi
	real_record "$1" -- /usr/bin/time -v -o "$1.time" "$_py" -c '
import mmap, sys
f = open(sys.argv[1], "rb")
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
if sys.argv[2] == "random":
    m.madvise(mmap.MADV_RANDOM)
s = 0
for i in range(0, len(m), 4096):
    s += m[i]
lines = open("/proc/self/smaps").read().split("\n")
for i, l in enumerate(lines):
    if l.endswith(" " + sys.argv[1]):
        rss = [x for x in lines[i + 1:i + 8] if x.startswith("Rss:")][0]
        print("rss_pages", int(rss.split()[1]) // 4)
        break
' "$2" "${4:-sequential}" >"$1.out" && real_report "$1"
}

# real_of DIR SECTION EXE_SUFFIX FIELD: FIELD of the one entry of
# .sections.SECTION.processes (or summary.per_process) whose exe ends in
# EXE_SUFFIX: the program under a wrapper such as time or perf.
real_of() {
	real_get "$1" "[.sections.$2[] | select(.exe // \"\" | endswith(\"$3\"))] |
		if length == 1 then .[0].$4 else \"entries: \\(length)\" end"
}

# real_pid_sum DIR EXE_SUFFIX FIELD: pid_sum (shell/lib.sh) of DIR's report.
real_pid_sum() {
	pid_sum "$1.json" "$2" "$3"
}
