# site FUNC: the summed final --all figures of FUNC's allocation sites, as
# JSON ({n, allocs, frees, bytes, live, peak}): the sites whose frame falls
# inside FUNC, found from its address (printed by the program, in $TMP/own)
# and its size in the symbol table of $SITE_PROG; the trace is $TMP/trace.
# Sourced by the --all heap tests after lib.sh.
site() {
	addr=$(jq ".$1" "$TMP/own") &&
	size=$(nm -S "$SITE_PROG" | awk -v f="$1" "\$4 == f { print \$2 }") && size=$((0x$size)) &&
	test -n "$size" &&
	jq -s -c --argjson lo "$addr" --argjson hi "$((addr + size))" -f tests/shell/heap/sites-of.jq "$TMP/trace"
}
