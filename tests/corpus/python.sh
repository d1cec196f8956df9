# /usr/bin/python3 (not the pyenv shim on PATH): threads, then a
# multiprocessing pool (fork), then a dict/str-heavy allocation phase.
case_setup() {
	[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"
	cp "$CORPUS/python_work.py" "$SRC/"
}
case_run() {
	$RUN /usr/bin/python3 "$SRC/python_work.py"
}
