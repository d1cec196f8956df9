#!/bin/sh
# redis-server with redis-benchmark on loopback runs unchanged traced.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
corpus_check redis
test_done
