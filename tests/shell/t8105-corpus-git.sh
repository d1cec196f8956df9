#!/bin/sh
# git clone, log and gc runs unchanged traced and leaves a clean trace.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check git
test_done
