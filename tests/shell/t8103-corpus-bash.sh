#!/bin/sh
# bash pipelines runs unchanged traced and leaves a clean trace.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check bash
test_done
