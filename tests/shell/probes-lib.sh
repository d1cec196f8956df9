# Helpers for the probe tests (t3xxx): jq filters and the program runs.
# Sourced after lib.sh.

# jq: "0x..." -> number (user addresses are below 2^53, exact in a double)
JQ_HEX='def hex: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 +
	(if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end));'

# trace_of DIR: the one trace file in DIR (the first if several)
trace_of() { ls "$1"/*.ndjson | head -1; }

# kv FILE KEY: value of KEY=... from a program's "k=v k=v" output
kv() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | head -1; }
