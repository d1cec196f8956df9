# Shared helpers for the shell tests. Source it first:  . tests/shell/lib.sh
# Each test_expect_success runs one behaviour; a failing step fails the test.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
FL=$top/$BUILD/faultline
FL_SAN=$top/$BUILD/san/faultline
[ -x "$FL_SAN" ] || FL_SAN=$FL
LIB=$top/$BUILD/libfaultline.so
PROGS=$top/$BUILD/tests/progs
SAMPLES=$top/$BUILD/samples
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fltest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Its physical path: with a symlinked TMPDIR (or /tmp) the paths the kernel
# reports (/proc/PID/fd, maps) would not be the ones the tests wrote.
TMP=$(cd "$TMP" && pwd -P) || exit 1
# Messages and sort orders of the tools the tests call, whatever the locale
# of the machine or of the user running them.
LC_ALL=C
export LC_ALL
export FAULTLINE_QUIET=1
# record compresses its traces by default (<pid>.ndjson.zst). Tests that read
# the lines of a trace with jq, grep, head and tail (they name the files, or
# call a helper that does) record plain ones; every other test records as a
# user does, so the reports are checked on compressed traces too. The tests
# of the trace's form (t8402, t1017) unset this; trace_cat reads either.
if grep -qE 'ndjson|need_probe|trace_of|proc-lib|corpus/|FAULTLINE_OUT|preload ' "$0"; then
	FAULTLINE_COMPRESS=0
	export FAULTLINE_COMPRESS
fi
_fails=0
_count=0

say() { printf '%s\n' "$*"; }

# jq -e exits 0 when its input is empty (jq 1.6), so an assertion on a report
# that was never written would pass: with -e, no result is a failure.
jq() {
	for _a in "$@"; do
		[ "$_a" = -e ] || continue
		_jq_out=$(command jq "$@") || return $?
		[ -n "$_jq_out" ] || { echo "jq -e: no result (empty input?)" >&2; return 5; }
		printf '%s\n' "$_jq_out"
		return 0
	done
	command jq "$@"
}

test_expect_success() { # description, commands (a string, run with set -e semantics via &&)
	_count=$((_count + 1))
	if ( eval "$2" ); then
		say "ok $_count - $1"
	else
		say "not ok $_count - $1"
		_fails=$((_fails + 1))
	fi
}

skip_all() { say "skip: $*"; exit 77; }

test_done() {
	if [ $_fails -ne 0 ]; then
		say "# failed $_fails of $_count"
		exit 1
	fi
	say "# passed all $_count"
	exit 0
}

# run_traced DIR PROGRAM ARGS...: runs under the shim via `faultline record`.
run_traced() {
	_dir=$1
	shift
	"$FL" record -q -o "$_dir" -- "$@"
}

# preload DIR PROGRAM ARGS...: the same with a bare LD_PRELOAD.
preload() {
	_dir=$1
	shift
	mkdir -p "$_dir" && LD_PRELOAD=$LIB FAULTLINE_OUT=$_dir "$@"
}

# trace_cat FILE...: the NDJSON lines of trace files, plain or .zst.
trace_cat() { zstdcat -qf -- "$@"; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# pid_sum REPORT-JSON EXE_SUFFIX FIELD: FIELD of summary.per_process summed
# over every image of the one pid whose image's exe ends in EXE_SUFFIX: a
# program under a wrapper such as time runs in the wrapper's forked copy,
# which getrusage and time count from the fork.
pid_sum() {
	jq -r --arg x "$2" ".sections.summary.per_process as \$p
		| [\$p[] | select(.exe // \"\" | endswith(\$x)) | .pid] as \$pid
		| if (\$pid | length) == 1 then [\$p[] | select(.pid == \$pid[0]) | .$3] | add
		  else \"entries: \\(\$pid | length)\" end" "$1"
}

# as_uid_copies UID PROG...: copies faultline, the shim and the named test
# programs into $TMP/bin, readable by UID, and points FL and PROGS there: a
# clone in a private directory (mktemp's 0700, as CI's is) is not another
# user's to read. Needs $TMP traversable by UID (chmod 711).
as_uid_copies() {
	_uid=$1
	shift
	mkdir -p "$TMP/bin" && cp "$FL" "$LIB" "$TMP/bin/" || return 1
	for _p in "$@"; do
		cp "$PROGS/$_p" "$TMP/bin/" || return 1
	done
	chmod 755 "$TMP/bin" && chmod a+rX "$TMP/bin"/* &&
	FL=$TMP/bin/faultline && LIB=$TMP/bin/libfaultline.so && PROGS=$TMP/bin
}

# zram_swap SIZE: a private zram swap device for this test (root only),
# torn down (and $TMP removed) at exit; skips the test where it cannot be set up.
zram_swap() {
	is_root || skip_all "swap set-up needs root"
	PATH=$PATH:/sbin:/usr/sbin
	[ -e /sys/class/zram-control/hot_add ] || modprobe zram 2>/dev/null
	[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram (module not available)"
	command -v mkswap >/dev/null && command -v swapon >/dev/null || skip_all "no mkswap/swapon"
	zram_dev=$(cat /sys/class/zram-control/hot_add 2>/dev/null) || skip_all "cannot add a zram device"
	trap zram_teardown EXIT
	{ echo "$1" >"/sys/block/zram$zram_dev/disksize" && mkswap "/dev/zram$zram_dev" >/dev/null &&
		swapon -p 32767 "/dev/zram$zram_dev"; } 2>/dev/null ||
		skip_all "cannot set up zram swap (container?)"
}

zram_teardown() {
	swapoff "/dev/zram$zram_dev" 2>/dev/null
	echo "$zram_dev" >/sys/class/zram-control/hot_remove 2>/dev/null
	rm -rf "$TMP"
}

# kernel_at_least MAJOR MINOR: the running kernel is MAJOR.MINOR or newer.
kernel_at_least() {
	_kv=$(uname -r | sed -n 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	set -- "$1" "$2" $_kv
	[ "$3" -gt "$1" ] || { [ "$3" -eq "$1" ] && [ "$4" -ge "$2" ]; }
}

# perf_allowed [UID]: perf_event_open on one's own process (user-mode
# software events, what the shim opens) is allowed for UID (default: ours)
# by the kernel's perf_event_paranoid; where perf(1) works, it has the last
# word (seccomp in containers blocks perf_event_open whatever the sysctl).
perf_allowed() {
	[ -r /proc/sys/kernel/perf_event_paranoid ] || return 1
	_uid=${1:-$(id -u)}
	[ "$_uid" -eq 0 ] || [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -le 2 ] || return 1
	if command -v perf >/dev/null 2>&1; then
		perf stat -e page-faults -x, -o /dev/null true >/dev/null 2>&1 || return 1
	fi
	return 0
}

# need_perf [UID]: skips the test where perf events are not allowed.
need_perf() {
	perf_allowed "$@" || skip_all "perf_event_open is not allowed here (perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo none), uid ${1:-$(id -u)}, or seccomp)"
}

# droppable FILE: FILE's pages can be dropped from the page cache (a test
# that wants it cold can make it so): not on tmpfs or ramfs, and after a
# sync and a drop (dd iflag=nocache) fincore, where installed, sees none.
droppable() {
	case $(stat -f -c %T "$1") in
	tmpfs | ramfs) _why="$(dirname "$1") is on $(stat -f -c %T "$1"): its pages cannot be dropped (set TMPDIR to a disk-backed directory)"; return 1 ;;
	esac
	sync "$1" 2>/dev/null || sync
	dd if="$1" iflag=nocache count=0 status=none 2>/dev/null
	if command -v fincore >/dev/null 2>&1; then
		_res=$(fincore -n -b -o RES "$1" 2>/dev/null) || _res=0
		[ "${_res:-0}" -eq 0 ] || { _why="$1 keeps $_res bytes in the page cache after a drop"; return 1; }
	fi
	return 0
}

# need_space DIR MIB: skips the test when DIR's file system has less free.
need_space() {
	_free=$(df -Pk "$1" | awk 'NR == 2 { print int($4 / 1024) }')
	[ "${_free:-0}" -ge "$2" ] || skip_all "needs $2 MiB free in $1, has ${_free:-0} MiB"
}

# A loopback TCP port nobody listens on.
free_port() {
	for _p in $(seq $((20000 + $$ % 20000)) $((20050 + $$ % 20000))); do
		if ! command -v ss >/dev/null || [ -z "$(ss -Hltn "sport = :$_p")" ]; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}
