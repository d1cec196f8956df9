# tclsh: lists, dicts and string operations.
case_setup() {
	command -v tclsh >/dev/null || skip_all "no tclsh"
	cat >"$SRC/work.tcl" <<'TCL'
set d [dict create]
for {set i 0} {$i < 100000} {incr i} { dict set d k$i [string repeat x [expr {$i % 40}]] }
set l {}
dict for {k v} $d { lappend l [string length $v] }
set s [lsort -integer $l]
puts "n [dict size $d] min [lindex $s 0] max [lindex $s end] sum [tcl::mathop::+ {*}$l]"
puts [string map {a b} [string repeat abc 5]]
TCL
}
case_run() {
	$RUN tclsh "$SRC/work.tcl"
}
