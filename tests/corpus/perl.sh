# perl: hashes, regexes, sort and string building.
CASE_STATUS=3
case_setup() {
	command -v perl >/dev/null || skip_all "no perl"
}
case_run() {
	$RUN perl -e '
		my %h; my @a;
		for my $i (1 .. 200000) { $h{"key$i"} = $i * 3; push @a, "x" x ($i % 50); }
		my $n = grep { /^key1\d*5$/ } keys %h;
		my @s = sort { $h{$b} <=> $h{$a} } keys %h;
		my $len = 0; $len += length for @a;
		my $s = join ",", map { $_ * 2 } 1 .. 50000;
		print "matches $n first $s[0] last $s[-1] len $len strlen ", length($s), "\n";
		undef %h; exit 3;'
}
