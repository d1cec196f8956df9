# Input: the trace lines (slurped). $m: marker page counts. Output: the delta of
# the heap totals between the last heap line inside [marker1, marker2] and
# the last inside [marker3, marker4], as {calls, bytes, live}.
def mseq($n): [.[] | select(.e == "mmap" and .size == ((1000 + $n) * 4096)) | .seq] | first;
def last_heap($a; $b): [.[] | select(.e == "heap" and .seq > $a and .seq < $b)] | max_by(.seq);
. as $all
| (last_heap(mseq(1); mseq(2))) as $h1
| (last_heap(mseq(3); mseq(4))) as $h2
| if $h1 == null or $h2 == null then error("no heap line between the markers") else . end
| {calls: ($h2.calls | with_entries(select(.key as $k | ["mmap","munmap","mremap","mprotect","madvise","brk","sbrk"] | index($k) | not) | .value -= ($h1.calls[.key] // 0))),
   bytes: ($h2.bytes | with_entries(select(.key as $k | ["mmap","munmap","mremap","mprotect","madvise","brk","sbrk"] | index($k) | not) | .value -= ($h1.bytes[.key] // 0)) | with_entries(select(.key != "free"))),
   live: ($h2.live - $h1.live)}
