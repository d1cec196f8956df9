#!/bin/sh
# redis BGSAVE while a client adds as many new keys as there are: the child's
# private memory at its end (cow child_private_end) against redis's own
# `INFO persistence` rdb_last_cow_size, the Private_Dirty the child reads from
# its smaps (see redis_cow_figure). New keys live in the parent's new memory,
# never shared: not counted on either side. Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
redis_bgsave_run "$TMP/t" add || exit 1
real_compare "cow child_private_end vs rdb_last_cow_size, keys added (bytes)" \
	"$(redis_cow_figure "$TMP/t")" "$(cat "$TMP/t.cow")" 5%
test_done
