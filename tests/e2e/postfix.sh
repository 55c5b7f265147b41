# shellcheck shell=bash
#
# tests/e2e/postfix.sh - a private Postfix instance and a milter on
# loopback, for end-to-end tests and the demo.  Source it from bash.
#
# Everything lives in one temporary directory ($PF_DIR): the Postfix
# config_directory ($PF_DIR/etc, own main.cf and master.cf), its
# queue_directory and data_directory, its log ($PF_DIR/maillog, written
# by postlogd, no syslog needed), the milter's socket and log, and one
# maildir per recipient address under $PF_DIR/mail/DOMAIN/LOCALPART/.
# The system's /etc/postfix and any system Postfix are never touched:
# the instance is started with "postfix -c $PF_DIR/etc start", which as
# root needs no alternate_config_directories entry in /etc/postfix (that
# list only matters to unprivileged users of sendmail/postqueue -c), and
# stopped the same way.  The tricks that make it work: no chroot in
# master.cf, data_directory owned by postfix before the first start,
# maillog_file_prefixes covering $PF_DIR (else postfix refuses the log
# path), a postlog service for maillog_file, and texthash mailbox maps
# (virtual(8) refuses regexp substitution).
#
# Exports (functions):
#   pf_init                  create $PF_DIR (idempotent; pf_start calls it)
#   pf_start                 write config, pick a free port, start Postfix
#   pf_stop                  stop this instance only (and its leftovers)
#   pf_reload                re-read main.cf after pf_set
#   pf_set NAME=VALUE...     change main.cf parameters (postconf -e)
#   pf_send FROM TO[,TO] FILE [SWAKS-ARGS...]
#                            send FILE (LF or CRLF) over SMTP with swaks,
#                            byte for byte (no swaks rewriting)
#   pf_delivered_count       messages delivered so far, all mailboxes
#   pf_wait_delivered N [SECS]
#                            wait until N messages are delivered and the
#                            queue is empty; on timeout print why, fail
#   pf_queue_count           messages in the queue (incoming/active/...)
#   pf_mailbox ADDRESS       delivered message files of ADDRESS, oldest first
#   pf_add_mailbox ADDR...   give addresses their own maildir (see PF_MAILBOXES)
#   pf_maillog_tail [N]      the last N lines of the Postfix log
#   ms_write_conf FILE [EXTRA-YAML-LINES]
#                            a milter config using the source tree's rules
#   ms_start CONF            start the milter in the foreground (-f) in the
#                            background, socket $MS_SPEC (default
#                            unix:$MS_SOCKET), log $MS_LOG; wait until it
#                            listens
#   ms_stop                  stop the milter by its PID
#   ms_running               true while the milter we started runs
#   e2e_cleanup              stop everything started; the EXIT trap
#
# Settings (environment, all optional):
#   SRCDIR            source root (default: two levels above this file)
#   MILTER_BIN        default $SRCDIR/milter/escalation-milter
#   MS_RULES          rule file for ms_write_conf (default the source tree's
#                     rules/default.yaml)
#   PF_DIR            directory to use instead of a new mktemp -d
#   PF_TMPDIR         where that is made (default /tmp, not $TMPDIR: the
#                     users postfix and nobody must reach it)
#   PF_MILTER         smtpd_milters value (default: $MS_SPEC when ms_start
#                     was called before pf_start, else none)
#   MS_SPEC           milter socket, e.g. inet:PORT@127.0.0.1 (default
#                     unix:$PF_DIR/milter/milter.sock)
#   PF_MILTER_DEFAULT_ACTION   accept|tempfail|reject (default accept)
#   PF_DOMAINS        virtual mailbox domains
#   PF_MAILBOXES      addresses with their own maildir DOMAIN/LOCALPART/;
#                     other addresses of PF_DOMAINS go to DOMAIN/_catchall/
#   PF_KEEP=1         keep $PF_DIR at exit (it is printed)
#   PF_TIMEOUT        default seconds for pf_wait_delivered (60)
#
# Needs root: the Postfix master runs as root and changes to mail_owner.

PF_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$PF_LIB_DIR/../.." && pwd)}
MILTER_BIN=${MILTER_BIN:-$SRCDIR/milter/escalation-milter}
MS_RULES=${MS_RULES:-$SRCDIR/rules/default.yaml}
PF_DOMAINS=${PF_DOMAINS:-"shop.example marketplace.amazon.com domestic.example customer.example"}
PF_MAILBOXES=${PF_MAILBOXES:-"support@shop.example legal@shop.example escalations@shop.example manager@shop.example orders@shop.example seller@marketplace.amazon.com support@domestic.example orders@domestic.example"}
PF_MILTER_DEFAULT_ACTION=${PF_MILTER_DEFAULT_ACTION:-accept}
PF_TIMEOUT=${PF_TIMEOUT:-60}
PF_MAIL_USER=${PF_MAIL_USER:-nobody}
PF_MAIL_GROUP=${PF_MAIL_GROUP:-nogroup}

PF_DIR=${PF_DIR:-}
PF_PORT=
PF_MASTER_PID=
PF_STARTED=
PF_SEQ=0
PF_LAST_SEND_LOG=	# swaks transcript of the last pf_send
MS_PID=
MS_SOCKET=
MS_SPEC=${MS_SPEC:-}
MS_LOG=

# Prints a message on stderr.
pf_log() {
	printf '%s\n' "postfix.sh: $*" >&2
}

# Creates the temporary directory tree and registers the trap.
pf_init() {
	if [ -z "$PF_DIR" ]; then
		# Not $TMPDIR: Postfix (user postfix) and virtual (user nobody) must
		# reach the directory, and /tmp is traversable by all.
		PF_DIR=$(mktemp -d "${PF_TMPDIR:-/tmp}/escm-e2e.XXXXXX") || return 1
	fi
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" \
	    "$PF_DIR/mail" "$PF_DIR/milter" "$PF_DIR/send" || return 1
	# Postfix daemons (user postfix), the virtual delivery agent (user
	# $PF_MAIL_USER) and the milter must all reach their parts.
	chmod 755 "$PF_DIR" "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/milter"
	chown postfix "$PF_DIR/data"
	chmod 700 "$PF_DIR/data"
	chown "$PF_MAIL_USER:$PF_MAIL_GROUP" "$PF_DIR/mail"
	chmod 755 "$PF_DIR/mail"
	if [ -z "${PF_TRAP_SET:-}" ]; then
		trap 'e2e_cleanup' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		trap 'exit 129' HUP
		PF_TRAP_SET=1
	fi
}

# Prints a free TCP port on 127.0.0.1.
pf_free_port() {
	python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# Prints libmilter's socket spec in Postfix's syntax: inet:PORT@HOST
# becomes inet:HOST:PORT, unix:/path and local:/path stay.
pf_milter_spec() {
	local hp
	case $1 in
	inet:*@*)
		hp=${1#inet:}
		printf 'inet:%s:%s\n' "${hp#*@}" "${hp%@*}"
		;;
	inet6:*@*)
		hp=${1#inet6:}
		printf 'inet:[%s]:%s\n' "${hp#*@}" "${hp%@*}"
		;;
	*)
		printf '%s\n' "$1"
		;;
	esac
}

# Writes main.cf (parameters only this instance uses).
pf_write_main_cf() {
	local milter=${PF_MILTER-}
	if [ -z "${PF_MILTER+set}" ] && [ -n "$MS_SPEC" ]; then
		milter=$(pf_milter_spec "$MS_SPEC")
	fi
	cat >"$PF_DIR/etc/main.cf" <<EOF
# Private test instance written by tests/e2e/postfix.sh; not a system MTA.
compatibility_level = 3.6
config_directory = $PF_DIR/etc
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-e2e
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
myhostname = mx.shop.example
mydomain = shop.example
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
append_dot_mydomain = no
# No DNS anywhere: nothing leaves this machine.
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
default_transport = error:outbound mail disabled in tests
relay_transport = error:outbound mail disabled in tests
local_transport = error:local delivery disabled in tests
alias_maps =
alias_database =
local_recipient_maps =
notify_classes =
# Do not rewrite or add headers: deliver what was sent.
local_header_rewrite_clients =
always_add_missing_headers = no
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_delay_reject = yes
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
message_size_limit = 20480000
# One maildir per recipient address: mail/DOMAIN/LOCALPART/.
virtual_mailbox_domains = $PF_DOMAINS
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = texthash:$PF_DIR/etc/vmailbox
virtual_uid_maps = static:$(id -u "$PF_MAIL_USER")
virtual_gid_maps = static:$(getent group "$PF_MAIL_GROUP" | cut -d: -f3)
virtual_mailbox_limit = 0
# Deliver at once; retry quickly when something was deferred.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
# The milter under test.
smtpd_milters = $milter
non_smtpd_milters =
milter_default_action = $PF_MILTER_DEFAULT_ACTION
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
EOF
	pf_write_vmailbox
}

# Writes the mailbox map: each address of PF_MAILBOXES gets its own
# maildir DOMAIN/LOCALPART/; any other address of a domain lands in
# DOMAIN/_catchall/.  (virtual(8) forbids regexp substitution in
# virtual_mailbox_maps, so the addresses are listed.)
pf_write_vmailbox() {
	local a d
	{
		for a in $PF_MAILBOXES; do
			printf '%s\t%s/%s/\n' "$a" "${a##*@}" "${a%@*}"
		done
		for d in $PF_DOMAINS; do
			printf '@%s\t%s/_catchall/\n' "$d" "$d"
		done
	} >"$PF_DIR/etc/vmailbox"
}

# Gives ADDRESS... its own mailbox (before pf_start, or pf_reload after).
pf_add_mailbox() {
	local a
	for a in "$@"; do
		case " $PF_MAILBOXES " in
		*" $a "*) ;;
		*) PF_MAILBOXES="$PF_MAILBOXES $a" ;;
		esac
	done
	if [ -n "$PF_DIR" ] && [ -d "$PF_DIR/etc" ]; then
		pf_write_vmailbox
	fi
}

# Writes master.cf: only the services needed, no chroot, smtpd on
# 127.0.0.1:$PF_PORT, postlogd for maillog_file.
pf_write_master_cf() {
	cat >"$PF_DIR/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$PF_PORT inet n -     n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# postfix(1) for this instance.
pf_postfix() {
	postfix -c "$PF_DIR/etc" "$@"
}

# Changes main.cf parameters: pf_set name=value ...
pf_set() {
	postconf -c "$PF_DIR/etc" -e "$@"
}

# Makes the running instance re-read its configuration.
pf_reload() {
	pf_postfix reload >>"$PF_DIR/postfix-ctl.log" 2>&1
}

# Starts the instance; sets PF_PORT and PF_MASTER_PID.
pf_start() {
	local try
	if [ "$(id -u)" != 0 ]; then
		pf_log "Postfix needs root to start (master runs as root)"
		return 1
	fi
	if ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
		pf_log "postfix or swaks missing: run 'make deps'"
		return 1
	fi
	pf_init || return 1
	pf_write_main_cf
	# The port can be taken between choosing and binding: try again.
	for try in 1 2 3 4 5; do
		PF_PORT=$(pf_free_port) || return 1
		pf_write_master_cf
		if pf_postfix start >>"$PF_DIR/postfix-ctl.log" 2>&1; then
			PF_STARTED=1
			break
		fi
		pf_log "start on port $PF_PORT failed (try $try)"
		sleep 1
	done
	if [ -z "$PF_STARTED" ]; then
		pf_log "Postfix did not start; control log and maillog:"
		tail -n 20 "$PF_DIR/postfix-ctl.log" >&2
		pf_maillog_tail 20 >&2
		return 1
	fi
	PF_MASTER_PID=$(sed -n '1s/[^0-9]//gp' "$PF_DIR/queue/pid/master.pid")
	pf_wait_port || {
		pf_log "smtpd does not answer on 127.0.0.1:$PF_PORT"
		pf_maillog_tail 20 >&2
		return 1
	}
}

# Waits (bounded) until 127.0.0.1:$PF_PORT accepts connections.
pf_wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Stops the instance we started, then any process left in its session.
pf_stop() {
	local i pids
	[ -n "$PF_STARTED" ] || return 0
	pf_postfix stop >>"$PF_DIR/postfix-ctl.log" 2>&1
	PF_STARTED=
	[ -n "$PF_MASTER_PID" ] || return 0
	# master calls setsid(): its children share session id = its PID.
	for i in $(seq 1 50); do
		pids=$(ps -e -o pid=,sid= | awk -v s="$PF_MASTER_PID" '$2 == s { print $1 }')
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086 # a list of PIDs
		[ "$i" = 30 ] && kill $pids 2>/dev/null
		# shellcheck disable=SC2086
		[ "$i" = 45 ] && kill -9 $pids 2>/dev/null
		sleep 0.1
	done
	PF_MASTER_PID=
}

# Converts a message file (LF or CRLF) to SMTP DATA form: CRLF line ends,
# leading dots doubled, a final CRLF, then the terminating dot (swaks
# adds the last CRLF).
pf_wire() {
	perl -e '
		local $/; binmode STDIN; binmode STDOUT;
		my $m = <STDIN>; $m = "" unless defined $m;
		$m =~ s/\r?\n/\r\n/g;
		$m .= "\r\n" if length($m) && $m !~ /\r\n\z/;
		$m =~ s/^\./../mg;
		print $m, ".";
	' <"$1"
}

# Sends FILE from FROM to TO (comma-separated) over SMTP; extra args go
# to swaks.  The transcript goes to $PF_DIR/send/N.log; returns swaks's
# status.
pf_send() {
	local from=$1 to=$2 file=$3 wire log
	shift 3
	PF_SEQ=$((PF_SEQ + 1))
	wire="$PF_DIR/send/$PF_SEQ.wire"
	log="$PF_DIR/send/$PF_SEQ.log"
	pf_wire "$file" >"$wire" || return 1
	# shellcheck disable=SC2034 # read by the caller
	PF_LAST_SEND_LOG=$log
	swaks --server 127.0.0.1 --port "$PF_PORT" --helo client.customer.example \
	    --from "$from" --to "$to" --data "@$wire" --no-data-fixup \
	    --timeout 30 --suppress-data "$@" </dev/null >"$log" 2>&1
}

# Delivered message files, all mailboxes.
pf_delivered_count() {
	find "$PF_DIR/mail" -path '*/new/*' -type f 2>/dev/null | wc -l
}

# Queue files waiting (not yet delivered, bounced or deferred for good).
pf_queue_count() {
	find "$PF_DIR/queue/maildrop" "$PF_DIR/queue/incoming" \
	    "$PF_DIR/queue/active" "$PF_DIR/queue/deferred" \
	    "$PF_DIR/queue/hold" -type f 2>/dev/null | wc -l
}

# Waits until at least N messages are delivered and the queue is empty.
pf_wait_delivered() {
	local want=$1 secs=${2:-$PF_TIMEOUT} end have queued
	end=$(($(date +%s) + secs))
	while :; do
		have=$(pf_delivered_count)
		queued=$(pf_queue_count)
		if [ "$have" -ge "$want" ] && [ "$queued" -eq 0 ]; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			pf_log "timeout after ${secs}s: $have of $want delivered, $queued queued; maillog tail:"
			pf_maillog_tail 25 >&2
			return 1
		fi
		sleep 0.1
	done
}

# Message files delivered to ADDRESS, oldest first (maildir new/ names
# start with the delivery time).
pf_mailbox() {
	local addr=$1 local_part domain dir
	local_part=${addr%@*}
	domain=${addr##*@}
	dir="$PF_DIR/mail/$domain/$local_part/new"
	[ -d "$dir" ] || return 0
	find "$dir" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-
}

# The last N lines of the Postfix log.
pf_maillog_tail() {
	tail -n "${1:-20}" "$PF_DIR/maillog" 2>/dev/null
}

# Writes a milter config for tests.  Extra lines (YAML) are appended.
ms_write_conf() {
	local file=$1
	shift
	{
		printf 'socket: "unix:%s"\n' "$PF_DIR/milter/milter.sock"
		printf 'rules: [%s]\n' "$MS_RULES"
		printf 'on_error: accept\n'
		printf 'log_level: info\n'
		printf 'limits: {max_message_bytes: 4194304}\n'
		printf 'tagging: {subject_template: "[ESCALATED: {categories}] "}\n'
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$file"
}

# True when the milter listens on $MS_SPEC.
ms_listening() {
	local hp
	case $MS_SPEC in
	unix:* | local:*)
		[ -S "$MS_SOCKET" ]
		;;
	inet:*)
		hp=${MS_SPEC#inet:}
		(exec 3<>"/dev/tcp/${hp#*@}/${hp%@*}") 2>/dev/null
		;;
	*)
		return 1
		;;
	esac
}

# Starts the milter in the background; waits until it listens.
ms_start() {
	local conf=$1 i
	pf_init || return 1
	if [ ! -x "$MILTER_BIN" ]; then
		pf_log "$MILTER_BIN not built: run 'make'"
		return 1
	fi
	MS_SOCKET=${MS_SOCKET:-$PF_DIR/milter/milter.sock}
	MS_SPEC=${MS_SPEC:-unix:$MS_SOCKET}
	case $MS_SPEC in
	unix:*) MS_SOCKET=${MS_SPEC#unix:} ;;
	local:*) MS_SOCKET=${MS_SPEC#local:} ;;
	esac
	MS_LOG=${MS_LOG:-$PF_DIR/milter.log}
	case $MS_SPEC in
	unix:* | local:*) rm -f "$MS_SOCKET" ;;
	esac
	# Compiling the rules takes seconds; keep them compiled between runs
	# (tests/run.sh sets the same directory).
	if [ -z "${ESCALATION_MILTER_RULES_CACHE+set}" ]; then
		ESCALATION_MILTER_RULES_CACHE=${TMPDIR:-/tmp}/escalation-milter-rules-$(id -u)
		mkdir -p "$ESCALATION_MILTER_RULES_CACHE" &&
		    chmod 700 "$ESCALATION_MILTER_RULES_CACHE"
		export ESCALATION_MILTER_RULES_CACHE
	fi
	"$MILTER_BIN" -f -c "$conf" -p "$MS_SPEC" </dev/null >>"$MS_LOG" 2>&1 &
	MS_PID=$!
	# up to 60 s: a first start compiles the rules
	for i in $(seq 1 600); do
		if ms_listening; then
			return 0
		fi
		if ! kill -0 "$MS_PID" 2>/dev/null; then
			wait "$MS_PID"
			pf_log "milter exited with status $? at start; its log:"
			tail -n 20 "$MS_LOG" >&2
			MS_PID=
			return 1
		fi
		sleep 0.1
	done
	pf_log "milter did not listen on $MS_SPEC within 60 s; its log:"
	tail -n 20 "$MS_LOG" >&2
	ms_stop
	return 1
}

# True while the milter we started is alive.
ms_running() {
	[ -n "$MS_PID" ] && kill -0 "$MS_PID" 2>/dev/null
}

# Stops the milter we started (TERM, then KILL after 5 s).
ms_stop() {
	local i
	[ -n "$MS_PID" ] || return 0
	kill "$MS_PID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$MS_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MS_PID" 2>/dev/null; then
		pf_log "milter $MS_PID ignored SIGTERM for 5 s; killing it"
		kill -9 "$MS_PID" 2>/dev/null
	fi
	wait "$MS_PID" 2>/dev/null
	MS_PID=
}

# The EXIT trap: stop what was started, remove the directory.
e2e_cleanup() {
	local rc=$?
	# libmilter takes a few seconds to notice SIGTERM: let it do so while
	# Postfix stops.
	[ -n "$MS_PID" ] && kill "$MS_PID" 2>/dev/null
	pf_stop
	ms_stop
	if [ -n "$PF_DIR" ] && [ -d "$PF_DIR" ]; then
		if [ -n "${PF_KEEP:-}" ]; then
			pf_log "kept $PF_DIR"
		else
			rm -rf "$PF_DIR"
		fi
	fi
	return $rc
}
