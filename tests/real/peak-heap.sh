#!/bin/sh
# Peak live heap of a short python program whose one live 1 GiB malloc is
# the oracle (python's own heap is a few hundred KiB beside it). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
status_peaks_run "$TMP/t" || exit 1
real_compare "summary.heap.peak_live vs a live 1 GiB malloc (bytes)" \
	"$(real_get "$TMP/t" .sections.summary.heap.peak_live)" $((1 << 30)) 5%
test_done
