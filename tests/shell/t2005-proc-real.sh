#!/bin/sh
# Real programs that make processes, traced: the same output and status as
# native, and the process tree in the traces is the one known by
# construction (counts of forks and execs, who is whose parent).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

for tool in make gcc git /usr/bin/python3; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool is not installed"
done

# header_of DIR JQ: the headers matching JQ, compact.
headers() { proc_events "$1" | jq -c "select(.e==\"header\") | select($2)"; }

test_expect_success 'make -j2, 20 targets: same files, 20 children, all linked' '
	mkdir "$TMP/mk" && cd "$TMP/mk" &&
	{ printf "all:"; for i in $(seq 1 20); do printf " t%d.out" $i; done; echo;
	  for i in $(seq 1 20); do printf "t%d.out:\n\techo %d > \$@\n" $i $i; done; } >Makefile &&
	make -s -j2 && cat t*.out | sort -n >"$TMP/mk.native" && rm t*.out &&
	run_traced "$TMP/mk.trace" make -s -j2 && cat t*.out | sort -n >"$TMP/mk.traced" &&
	diff -u "$TMP/mk.native" "$TMP/mk.traced" &&
	test "$(ls "$TMP"/mk.trace/*.ndjson | wc -l)" -eq 21 &&
	root=$(headers "$TMP/mk.trace" ".argv[0]==\"make\"" | jq .pid) &&
	test "$(proc_count "$TMP/mk.trace" ".e==\"fork\" and .fpid==$root")" -eq 20 &&
	test "$(headers "$TMP/mk.trace" ".parent.pid==$root and (.argv|join(\" \")|test(\"^/bin/sh -c echo [0-9]+ > t[0-9]+.out$\"))" | wc -l)" -eq 20 &&
	proc_bad_links "$TMP/mk.trace" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success 'gcc: driver → cc1, as, collect2 → ld, all linked' '
	cd "$TMP/mk" && printf "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n" >hello.c &&
	run_traced "$TMP/gcc.trace" gcc -o hello hello.c && test "$(./hello)" = hi &&
	proc_bad_links "$TMP/gcc.trace" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	drv=$(headers "$TMP/gcc.trace" ".parent.kind==\"none\"" | jq .pid) &&
	for t in cc1 as collect2; do
		test "$(headers "$TMP/gcc.trace" "(.exe|test(\"/[a-z0-9_-]*$t\$\")) and .parent.pid==$drv" | wc -l)" -eq 1 || exit 1
	done &&
	c2=$(headers "$TMP/gcc.trace" ".exe|test(\"collect2\$\")" | jq .pid) &&
	test "$(headers "$TMP/gcc.trace" "(.exe|test(\"ld(.bfd|.gold)?\$\")) and .parent.pid==$c2" | wc -l)" -eq 1 &&
	test "$(ls "$TMP"/gcc.trace/*.ndjson | wc -l)" -eq 5
'

test_expect_success 'git init, add, commit on a generated repo: same output, all linked' '
	mkdir "$TMP/repo" && cd "$TMP/repo" && for i in 1 2 3 4 5; do echo "file $i" >f$i.txt; done &&
	cmd="git init -q && git add . && git -c user.name=t -c user.email=t@t commit -qm x && git log --format=%s" &&
	run_traced "$TMP/git.trace" sh -c "$cmd" >"$TMP/git.out" && test "$(cat "$TMP/git.out")" = x &&
	proc_bad_links "$TMP/git.trace" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	sh=$(headers "$TMP/git.trace" ".parent.kind==\"none\"" | jq .pid) &&
	headers "$TMP/git.trace" ".argv[0]==\"git\" and .ppid==$sh" | jq -r ".argv | map(select(startswith(\"-\") or test(\"=\") | not))[1]" | sort | tr "\n" " " >"$TMP/sub" &&
	test "$(cat "$TMP/sub")" = "add commit init log "
'

test_expect_success 'python3 multiprocessing.Pool(4): four forked workers, linked' '
	printf "import multiprocessing as mp\ndef sq(x):\n    return x * x\nif __name__ == \"__main__\":\n    with mp.Pool(4) as p:\n        print(sum(p.map(sq, range(1000))))\n" >"$TMP/pool.py" &&
	/usr/bin/python3 "$TMP/pool.py" >"$TMP/py.native" &&
	run_traced "$TMP/py.trace" /usr/bin/python3 "$TMP/pool.py" >"$TMP/py.traced" &&
	diff -u "$TMP/py.native" "$TMP/py.traced" &&
	root=$(headers "$TMP/py.trace" ".parent.kind==\"none\"" | jq .pid) &&
	{ echo "root $root; forks, linked children, waits:" \
		"$(proc_count "$TMP/py.trace" ".e==\"fork\" and .fpid==$root")" \
		"$(headers "$TMP/py.trace" ".parent.pid==$root" | wc -l)" \
		"$(proc_count "$TMP/py.trace" ".e==\"wait\" and .fpid==$root")"; true; } &&
	test "$(proc_count "$TMP/py.trace" ".e==\"fork\" and .kind==\"fork\" and .fpid==$root")" -eq 4 &&
	test "$(headers "$TMP/py.trace" ".parent.pid==$root and .parent.kind==\"fork\"" | wc -l)" -eq 4 &&
	proc_bad_links "$TMP/py.trace" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	test "$(proc_count "$TMP/py.trace" ".e==\"wait\" and .fpid==$root")" -eq 4
'
test_done
