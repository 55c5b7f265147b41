#!/bin/sh
# lint.sh - banned calls and static analysis over milter/ and tests/unit/.
#
# Banned: functions that invite overflows or hide errors (curl's list,
# trimmed to what applies here).  cppcheck runs when installed.
set -u
cd "$(dirname "$0")/.." || exit 1
status=0
banned='\<(sprintf|vsprintf|strcpy|strcat|strncat|strtok|gets|atoi|atol|atof|alloca)[[:space:]]*\('
if grep -nE "$banned" milter/*.c milter/*.h tests/unit/*.c; then
	echo "lint: banned function used (see above)" >&2
	status=1
fi
if grep -nE '[[:blank:]]+$' milter/*.c milter/*.h; then
	echo "lint: trailing white space" >&2
	status=1
fi
for f in milter/*.c milter/*.h; do
	head -3 "$f" | grep -q '^/\*' || { echo "lint: $f has no header comment" >&2; status=1; }
	n=$(wc -l < "$f")
	[ "$n" -le 1000 ] || { echo "lint: $f has $n lines (max 1000)" >&2; status=1; }
done
if command -v cppcheck >/dev/null 2>&1; then
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -Imilter milter/*.c || status=1
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
