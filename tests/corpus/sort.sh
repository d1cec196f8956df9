# coreutils sort on a 50 MB file, with temporary files and two threads.
case_setup() {
	# the input, the sorted output, sort's temporary files and the trace
	need_space "$TMP" 300
	awk 'BEGIN { srand(7); for (i = 0; i < 1600000; i++)
		printf "%08d %s\n", int(rand() * 1e8), substr("abcdefghijklmnopqrstuvwxyz", 1 + i % 20) }' \
		>"$SRC/big.txt"
	test "$(stat -c %s "$SRC/big.txt")" -gt 40000000
}
case_run() {
	$RUN sort -S 16M --parallel=2 -T . "$SRC/big.txt" >sorted.txt &&
		md5sum <sorted.txt && wc -l <sorted.txt
}
