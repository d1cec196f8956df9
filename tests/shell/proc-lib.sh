# Helpers for the process-following tests (t2xxx-proc-*): the process tree
# as the trace files tell it, checked with jq. Source after lib.sh.

# proc_events DIR: one compact line per header/fork/exec/exit/wait/note
# event, with "file" (its trace file) and "fpid" (that file's pid).
proc_events() {
	jq -c 'select(.e=="header" or .e=="fork" or .e=="exec" or .e=="exit" or .e=="wait" or .e=="note")
		+ {file: (input_filename | split("/") | last)}' "$1"/*.ndjson |
	jq -sc '(map(select(.e=="header") | {key: .file, value: .pid}) | from_entries) as $pid
		| map(. + {fpid: $pid[.file]})[]'
}

# proc_bad_links DIR: prints every header whose parent link does not point
# at exactly one matching event (a fork line in the parent naming this
# child with the same kind, or a successful exec line of the same pid);
# prints nothing when the tree is consistent.
proc_bad_links() {
	proc_events "$1" | jq -sc '
		(reduce (.[] | select(.e=="fork" or (.e=="exec" and .result==0))) as $e
			({}; .["\($e.fpid):\($e.seq)"] += [$e])) as $ev
		| map(select(.e=="header" and .parent.kind != "none"))[]
		| . as $h
		| select(
			[($ev["\($h.parent.pid):\($h.parent.seq)"] // [])[]
			 | select(.t == $h.parent.t and .file != $h.file
				and ((.e == "fork" and .child == $h.pid and .kind == $h.parent.kind)
				  or (.e == "exec" and $h.parent.kind == "exec" and .fpid == $h.pid)))]
			| length != 1)
		| {file, pid, parent}'
}

# proc_count DIR JQ-FILTER: number of events matching the filter.
proc_count() {
	proc_events "$1" | jq -s "map(select($2)) | length"
}

# proc_all_json DIR: every line of every file is valid JSON (a process
# killed mid-write may leave a last line without its newline: not counted).
proc_all_json() {
	for _f in "$1"/*.ndjson; do
		_n=$(wc -l <"$_f")
		head -n "$_n" "$_f" | jq -c . >/dev/null || { echo "bad JSON in $_f"; return 1; }
	done
}
