#!/bin/sh
# sqlite3 with 100k inserts runs unchanged traced and leaves a clean trace.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check sqlite
test_done
