# Input: one trace (slurped). $lo, $hi: a function's address range. Output:
# the final figures of the sites whose innermost frame lies in it, summed:
# {allocs, frees, bytes, live, peak, n} (n: how many sites).
def hex: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end));
([.[] | select(.e == "stack") | {key: (.id | tostring), value: (.frames[0] | hex)}] | from_entries) as $f0
| [.[] | select(.e == "sites")] | sort_by(.seq) | [.[].sites[]]
| reduce .[] as $s ({}; .[$s[0] | tostring] = $s)
| [.[] | select(($f0[.[0] | tostring] // -1) as $a | $a >= $lo and $a < $hi)]
| {allocs: (map(.[1]) | add), frees: (map(.[2]) | add), bytes: (map(.[3]) | add),
   live: (map(.[4]) | add), peak: (map(.[5]) | max), n: length}
