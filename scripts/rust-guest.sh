# shellcheck shell=sh
# The Rust crate's tests in the test VM: sourced by /init
# (scripts/guest-init.sh, run_tests) from /rust/run.sh, where
# scripts/rust.sh stages it with the test binaries (/rust/tests) and the
# task they start (/rust/examples/task_child).  Each test runs alone in a
# process of its own (libtest's --exact), as one result block named
# rust/<binary>/<test>: its exit status is the result.  diosonly: "rust",
# a binary's name or a test's.
for t in /rust/tests/*; do
	[ -x "$t" ] || continue
	b=${t##*/}
	names=$("$t" --list 2>/dev/null | sed -n 's/: test$//p')
	if [ -z "$names" ]; then
		wanted rust || wanted "$b" || continue
		run_framed "rust/$b" sh -c "echo '# $t --list listed no test'; exit 1"
		continue
	fi
	for name in $names; do
		wanted rust || wanted "$b" || wanted "$name" || continue
		run_framed "rust/$b/$name" timeout 300 "$t" --exact "$name" \
			--test-threads=1
	done
done
