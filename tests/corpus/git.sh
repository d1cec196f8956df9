# git: clone a local repository over the pack protocol, log, gc.
case_setup() {
	command -v git >/dev/null || skip_all "no git"
	export GIT_AUTHOR_NAME=fl GIT_AUTHOR_EMAIL=fl@example.com GIT_COMMITTER_NAME=fl \
		GIT_COMMITTER_EMAIL=fl@example.com GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" \
		GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" GIT_CONFIG_NOSYSTEM=1 HOME=$SRC
	git init -q -b main repo && cd repo || return 1
	for i in $(seq 1 30); do
		seq 1 $((i * 200)) >"file$((i % 7)).txt"
		git add . && git commit -q -m "commit $i" || return 1
	done
}
case_run() {
	$RUN git clone -q --no-local "$SRC/repo" clone &&
		$RUN git -C clone log --oneline --stat -n 5 &&
		$RUN git -C clone gc -q &&
		$RUN git -C clone count-objects -v | grep -E '^(count|in-pack|packs)' &&
		$RUN git -C clone fsck --no-progress
}
