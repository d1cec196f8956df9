#!/bin/sh
# record behaves as one job under a shell's job control: a terminal ^C reaches
# the program once (it is in the foreground group and gets it from the
# terminal itself), ^Z stops the whole job so the shell can `fg` it, and the
# program does not outlive a SIGKILLed record.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "needs python3 (its pty module drives an interactive shell)"
command -v bash >/dev/null || skip_all "needs bash for an interactive shell"

# Counts the SIGINTs it gets: writes READY, waits for the first one, gives a
# second one time to arrive, writes the count to COUNT and exits 0. Exits 3
# on its own after 20 s, so nothing outlives the test.
cat >"$TMP/sigcount.c" <<'PROG'
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t count;
static void on_int(int sig) { (void)sig; count++; }
int main(int argc, char **argv)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	time_t start = time(NULL);
	FILE *f;
	signal(SIGINT, on_int);
	if (argc < 3 || !(f = fopen(argv[1], "w")))
		return 2;
	fclose(f);
	/* Spinning, not sleeping: a running program takes the terminal's
	 * signal at once, so a second one sent after it is not merged into it
	 * while still pending. */
	while (!count && time(NULL) < start + 20)
		;
	if (!count)
		return 3;
	for (int i = 0; i < 50; i++)
		nanosleep(&tick, NULL);
	if (!(f = fopen(argv[2], "w")))
		return 2;
	fprintf(f, "%d\n", (int)count);
	return fclose(f) != 0;
}
PROG
cc -o "$TMP/sigcount" "$TMP/sigcount.c" || exit 1

# play_tty.py SCRIPT: runs `bash -i` on a new pseudo-terminal and plays SCRIPT, one
# step a line: "send TEXT" (with \x03 style escapes), "file PATH" (waits for
# it to exist), "foreground" (waits until a job, not the shell, has the
# terminal), "expect TEXT" (waits until the terminal output holds it).
# Each wait gives up after 15 s. The terminal output goes to stdout.
cat >"$TMP/play_tty.py" <<'PY'
import os, pty, select, signal, sys, time
script = open(sys.argv[1]).read().splitlines()
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
out = b""
def pump(t):
    global out
    r, _, _ = select.select([fd], [], [], t)
    if r:
        try:
            out += os.read(fd, 4096)
        except OSError:
            pass
ok = True
for step in script:
    verb, _, arg = step.partition(" ")
    arg = arg.encode().decode("unicode_escape")
    deadline = time.time() + 15
    if verb == "send":
        os.write(fd, arg.encode())
        pump(0.2)
    elif verb == "file":
        while not os.path.exists(arg) and time.time() < deadline:
            pump(0.05)
        ok = os.path.exists(arg)
    elif verb == "foreground":
        while os.tcgetpgrp(fd) == pid and time.time() < deadline:
            pump(0.05)
        ok = os.tcgetpgrp(fd) != pid
    elif verb == "expect":
        while arg.encode() not in out and time.time() < deadline:
            pump(0.05)
        ok = arg.encode() in out
    if not ok:
        print("play_tty.py: step failed: " + step, file=sys.stderr)
        break
pump(0.2)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(0 if ok else 1)
PY

test_expect_success 'a terminal ^C reaches the program once' '
	cat >"$TMP/int.play" <<-PLAY &&
	send "$FL" record -q -o "$TMP/int" -- "$TMP/sigcount" "$TMP/int.ready" "$TMP/int.count"; echo "rc=\$?"\n
	file $TMP/int.ready
	send \x03
	expect rc=0
	PLAY
	{ python3 "$TMP/play_tty.py" "$TMP/int.play" >"$TMP/int.out" ||
		{ cat "$TMP/int.out"; false; }; } &&
	echo 1 >"$TMP/int.expect" &&
	diff -u "$TMP/int.expect" "$TMP/int.count"
'

test_expect_success '^Z stops the job, jobs shows it stopped, fg resumes it' '
	cat >"$TMP/stop.play" <<-PLAY &&
	send "$FL" record -q -o "$TMP/stop" -- "$TMP/sigcount" "$TMP/stop.ready" "$TMP/stop.count"\n
	file $TMP/stop.ready
	send \x1a
	send jobs\n
	expect Stopped
	send fg; echo "fg=\$?"\n
	foreground
	send \x03
	expect fg=0
	PLAY
	{ python3 "$TMP/play_tty.py" "$TMP/stop.play" >"$TMP/stop.out" ||
		{ cat "$TMP/stop.out"; false; }; } &&
	echo 1 >"$TMP/stop.expect" &&
	diff -u "$TMP/stop.expect" "$TMP/stop.count"
'

# Running, or stopped: not gone and not a zombie waiting for a parent (a
# container's init may never reap it).
alive() {
	kill -0 "$1" 2>/dev/null && ! grep -q "^[0-9]* (.*) Z" "/proc/$1/stat" 2>/dev/null
}

test_expect_success 'the program dies when record is killed with SIGKILL' '
	"$FL" record -q -o "$TMP/k" -- sh -c "echo \$\$ >\"$TMP/k.pid\"; exec sleep 30" &
	rec=$! &&
	for i in $(seq 100); do [ -s "$TMP/k.pid" ] && break; sleep 0.05; done &&
	prog=$(cat "$TMP/k.pid") &&
	kill -0 "$prog" &&
	kill -9 "$rec" &&
	sleep 0.5 &&
	if alive "$prog"; then
		kill -9 "$prog"; false
	fi
'
test_done
