#!/usr/bin/env bash
# Generates the kernel's symbol table for backtraces from `nm -n` output on
# stdin (or an empty table when the argument is /dev/null): sorted text
# addresses, offsets into one string blob, and the names.
set -eu
input=${1:--}
if [ "$input" = /dev/null ]; then
	syms=""
else
	syms=$(awk '$2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff8/ { print $1, $3 }' | sort -u -k1,1)
fi
echo '	.section .ksyms, "a"'
echo '	.p2align 3'
echo '	.globl ksym_count, ksym_addrs, ksym_name_offsets, ksym_names'
n=0
[ -n "$syms" ] && n=$(printf '%s\n' "$syms" | wc -l)
echo "ksym_count: .quad $n"
echo 'ksym_addrs:'
[ -n "$syms" ] && printf '%s\n' "$syms" | awk '{ print "\t.quad 0x" $1 }'
echo 'ksym_name_offsets:'
[ -n "$syms" ] && printf '%s\n' "$syms" | awk 'BEGIN { off = 0 } { print "\t.long " off; off += length($2) + 1 }'
echo 'ksym_names:'
[ -n "$syms" ] && printf '%s\n' "$syms" | awk '{ print "\t.asciz \"" $2 "\"" }'
exit 0
