# bash pipelines: every stage is a traced child of the traced shell.
CASE_STATUS=5
case_setup() {
	command -v bash >/dev/null || skip_all "no bash"
}
case_run() {
	$RUN bash -c '
		set -o pipefail
		seq 1 200000 | awk "{ print \$1 % 1000 }" | sort -n | uniq -c | sort -rn | head -n 3
		x=$(for i in $(seq 1 2000); do echo "$i"; done | tr -d "\n" | wc -c)
		echo "chars $x"
		printf "%s\n" c b a | sort | tee /dev/stderr | wc -l
		false | true; echo "status $?"
		exit 5'
}
