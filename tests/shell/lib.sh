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
export FAULTLINE_QUIET=1
_fails=0
_count=0

say() { printf '%s\n' "$*"; }

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

is_root() { [ "$(id -u)" -eq 0 ]; }

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
