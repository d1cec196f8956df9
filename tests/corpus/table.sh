#!/bin/sh
# Prints the corpus table from the rows the t81xx-corpus-* tests left in
# $BUILD/corpus:  sh tests/corpus/table.sh [BUILD]
BUILD=${1:-${BUILD:-build}}
printf '%-8s %-17s %-12s %-6s %-7s %s\n' program "output identical" "exit (n/t)" files events "failed checks"
for r in "$BUILD"/corpus/*.row; do
	[ -f "$r" ] || continue
	IFS='	' read -r name same status files events fails <"$r"
	printf '%-8s %-17s %-12s %-6s %-7s %s\n' "$name" "$same" "$status" "$files" "$events" "$fails"
done
