# redis-server (Debian's, linked with jemalloc) under redis-benchmark and
# redis-cli, on loopback only, with a bounded number of requests.
case_setup() {
	corpus_apt redis-server /usr/bin/redis-server
	command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null ||
		skip_all "redis-benchmark or redis-cli missing"
	PORT=$(free_port) || skip_all "no free loopback port"
}
case_run() {
	$RUN redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
		--protected-mode yes --daemonize no >server.log 2>&1 &
	spid=$!
	i=0
	# A loaded machine can take a while; a server that died (port taken
	# since it was chosen) says why in its log.
	until redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; do
		i=$((i + 1))
		if ! kill -0 "$spid" 2>/dev/null || [ $i -ge 600 ]; then
			kill "$spid" 2>/dev/null
			echo "server did not start:"
			cat server.log
			return 1
		fi
		sleep 0.1
	done
	$RUN redis-benchmark -h 127.0.0.1 -p "$PORT" -n 4000 -c 8 -t set,get,lpush,lpop,incr -q --csv
	echo "benchmark status $?"
	$RUN redis-cli -h 127.0.0.1 -p "$PORT" set a 1
	$RUN redis-cli -h 127.0.0.1 -p "$PORT" incrby a 41
	$RUN redis-cli -h 127.0.0.1 -p "$PORT" rpush l x y z
	$RUN redis-cli -h 127.0.0.1 -p "$PORT" lrange l 0 -1
	redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave
	wait "$spid"
	echo "server status $?"
}
# Keep the test names, drop the throughput and latency figures.
case_filter() { cut -d, -f1; }
