#!/bin/sh
# redis BGSAVE while a client adds as many new keys as there are: the pages
# copied after the fork (cow bytes_copied) against redis's own
# `INFO persistence` rdb_last_cow_size. New keys live in new memory, which
# was never shared: its first touch is not a copy. Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
redis_bgsave_run "$TMP/t" add || exit 1
real_compare "cow bytes_copied vs rdb_last_cow_size, keys added (bytes)" \
	"$(redis_cow_figure "$TMP/t")" "$(cat "$TMP/t.cow")" 5%
test_done
