# mailassert.sh - checks on a delivered message file, shared by the
# end-to-end scripts: each prints why it failed and returns non-zero.
# Needs HERE (tests/e2e) and, for milter_logged_once, MS_LOG.

mailcheck() {
	python3 "$HERE/mailcheck.py" "$@"
}

has_header() {
	[ "$(mailcheck count "$1" "$2")" -gt 0 ]
}

no_header() {
	local n
	n=$(mailcheck count "$1" "$2")
	[ "$n" -eq 0 ] || { echo "$n $2 field(s):"; mailcheck header "$1" "$2"; return 1; }
}

header_matches() {
	local v
	v=$(mailcheck header "$1" "$2")
	printf '%s\n' "$v" | grep -E -q -- "$3" || { echo "$2: '$v' does not match /$3/"; return 1; }
}

subject_is() {
	local s
	s=$(mailcheck subject "$1")
	[ "$s" = "$2" ] || { echo "Subject: '$s', want '$2'"; return 1; }
}

subject_lacks() {
	local s
	s=$(mailcheck subject "$1")
	case "$s" in
	*"$2"*) echo "Subject: '$s'"; return 1 ;;
	esac
}

# The subject tag lists the categories of X-Escalation; ORIGINAL follows.
subject_tagged_as_header() {
	local x
	x=$(mailcheck header "$1" X-Escalation)
	subject_is "$1" "[ESCALATED: $x] $2"
}

count_is() {
	local n
	n=$(mailcheck count "$1" "$2")
	[ "$n" -eq "$3" ] || { echo "$n $2 field(s), want $3"; return 1; }
}
