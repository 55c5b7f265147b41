#!/bin/sh
# quality.sh - detection quality stays at its targets (scripts/eval.py
# --check: every labelled category precision >= 0.95 and recall >= 0.90,
# chargeback states right, no hard negative or trap escalated, every
# thread decision right):
#
#   - on the project's own labelled corpora, tests/corpus/*/ (English
#     edge cases, Spanish, French, German), always
#   - on the shared development corpus ../shared/corpus/dev beside the
#     tree, when it is there (skipped, and said so, when it is not)
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"

for d in "$top"/tests/corpus/*/; do
	[ -f "$d/labels.tsv" ] || continue
	name=$(basename "$d")
	python3 "$top/scripts/eval.py" --check -v "$d" > "$tmp/out" 2>&1
	rc=$?
	check "tests/corpus/$name meets the targets" '[ $rc -eq 0 ]'
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/out"
done

dev="$top/../shared/corpus/dev"
if [ -f "$dev/labels.tsv" ]; then
	python3 "$top/scripts/eval.py" --check -v "$dev" > "$tmp/out" 2>&1
	rc=$?
	check "the development corpus meets the targets" '[ $rc -eq 0 ]'
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/out"
else
	echo "# skip: no development corpus at $dev"
fi

summary quality
