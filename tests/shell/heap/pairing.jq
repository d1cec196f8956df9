# Input: one trace (slurped). Fails unless every free and every realloc's
# old block matches a recorded, not yet freed block, in seq order.
def step($live; $ev):
  if $ev.e == "alloc" then $live + {($ev.addr): 1}
  elif $ev.e == "free" then
    if $live[$ev.addr] then $live | del(.[$ev.addr]) else error("free of unrecorded \($ev.addr) at seq \($ev.seq)") end
  elif $ev.e == "realloc" then
    (if $ev.old_addr != "0x0" then
       (if $live[$ev.old_addr] then $live | del(.[$ev.old_addr]) else error("realloc of unrecorded \($ev.old_addr) at seq \($ev.seq)") end)
     else $live end) + {($ev.addr): 1}
  else $live end;
[.[] | select(.e == "alloc" or .e == "free" or .e == "realloc")] | sort_by(.seq)
| reduce .[] as $ev ({}; step(.; $ev)) | length
