#!/bin/sh
# /usr/bin/python3 with threads and a multiprocessing pool runs unchanged traced.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check python
test_done
