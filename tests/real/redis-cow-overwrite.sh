#!/bin/sh
# redis BGSAVE while a client overwrites every key: the child's private
# memory at its end (cow child_private_end) against redis's own
# `INFO persistence` rdb_last_cow_size (the child's private dirty memory at
# the end of the save: every page either side copied leaves the child one
# private page; see redis_cow_figure).
# Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
redis_bgsave_run "$TMP/t" overwrite || exit 1
real_compare "cow child_private_end vs rdb_last_cow_size, keys overwritten (bytes)" \
	"$(redis_cow_figure "$TMP/t")" "$(cat "$TMP/t.cow")" 5%
test_done
