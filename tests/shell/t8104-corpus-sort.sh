#!/bin/sh
# coreutils sort on a 50 MB file runs unchanged traced and leaves a clean trace.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check sort
test_done
