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
