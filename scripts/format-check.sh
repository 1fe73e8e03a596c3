#!/usr/bin/env bash
# Fails when a C source or header differs from what clang-format makes of
# it (.clang-format: Linux kernel style). `scripts/format-check.sh --fix`
# rewrites the files instead.
set -u
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = --fix ] && fix=1
bad=0
while IFS= read -r f; do
	[ -f "$f" ] || continue
	if [ $fix -eq 1 ]; then
		clang-format -i "$f"
	elif ! clang-format "$f" | cmp -s - "$f"; then
		echo "format: $f differs from clang-format; run scripts/format-check.sh --fix"
		bad=1
	fi
done < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
if [ $bad -eq 0 ] && [ $fix -eq 0 ]; then echo "format: clean"; fi
exit $bad
