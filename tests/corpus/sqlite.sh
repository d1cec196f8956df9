# sqlite3: 100k inserts in a transaction, an index and aggregate queries.
case_setup() {
	command -v sqlite3 >/dev/null || skip_all "no sqlite3"
	awk 'BEGIN { print "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);";
		print "BEGIN;";
		for (i = 1; i <= 100000; i++)
			printf "INSERT INTO t(k, v) VALUES(%d, \"value-%d\");\n", (i * 7919) % 1000, i;
		print "COMMIT;";
		print "CREATE INDEX tk ON t(k);";
		print "SELECT count(*), sum(k), max(length(v)) FROM t;";
		print "SELECT k, count(*) FROM t WHERE k < 3 GROUP BY k ORDER BY k;";
		print "SELECT v FROM t WHERE k = 999 ORDER BY id DESC LIMIT 2;" }' >"$SRC/load.sql"
}
case_run() {
	$RUN sqlite3 test.db <"$SRC/load.sql"
}
