#!/usr/bin/env bash
# `make test`: the format check, the host unit tests (given as arguments)
# and the in-VM tests, all of them even when one fails. Ends with one line
# "N passed, N failed" over every test run, and fails if any did.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0
fail=0

# tally: adds up the "<tier>: N passed, N failed" line of a tier.
tally() {
	local line
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$1: no summary line: the runner did not finish"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + $(echo "$line" | awk '{print $2}')))
	fail=$((fail + $(echo "$line" | awk '{print $4}')))
}

if scripts/format-check.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
tests/unit/run.sh "$@" | tee "$log"
tally unit
tests/vm/run.sh build/kernel.elf | tee "$log"
tally vm
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
