#!/usr/bin/env bash
# Runs every host unit test binary given as an argument, each with a time
# limit, and ends with the 'N passed, N failed' summary line.
set -u
pass=0
fail=0
for t in "$@"; do
	name=$(basename "$t")
	if timeout 300 "$t" >"$t.log" 2>&1; then
		echo "PASS unit/$name"
		pass=$((pass + 1))
	else
		echo "FAIL unit/$name (exit $?), log:"
		sed 's/^/    /' "$t.log" | tail -n 40
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
