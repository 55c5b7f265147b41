# shellcheck shell=bash
#
# tests/e2e/sendmail.sh - a private Sendmail 8.17 in front of the milter,
# relaying every message by SMTP to a private Postfix (postfix.sh, run
# WITHOUT a milter) that keeps one maildir per recipient address.  Source
# it from bash; it sources postfix.sh, so pf_* and ms_* are there too.
#
#   swaks -> Sendmail 127.0.0.1:$SM_PORT -> milter (local socket)
#         -> relay mailer -> Postfix 127.0.0.1:$PF_PORT -> maildirs
#
# Sendmail is never installed: Debian's sendmail-bin conflicts with
# postfix.  sm_setup fetches sendmail-bin, sendmail-base and sendmail-cf
# with "apt-get download" into $SM_CACHE and unpacks them with dpkg -x
# once (reused while apt's candidate version stays the same; when apt
# knows no candidate and nothing is cached, as on a bare image, it runs
# "apt-get update" first).  The unpacked binary needs libwrap0 and
# liblockfile1 (and libldap-2.5-0, libdb5.3, libsasl2-2, libnsl2,
# libssl3), m4 builds the .cf, unshare and setpriv (util-linux) and
# python3 run it: sm_setup names whatever is missing and fails; it
# installs no package.
#
# Everything of one instance lives in $SM_DIR, made under /run (0755
# root): Sendmail refuses a milter socket whose directory or any parent
# is group- or world-writable, and /tmp and /var/tmp are 1777.  Put the
# milter's socket in $(sm_milter_dir) (see sm_use_milter_socket).  In
# $SM_DIR: test.mc and test.cf, queue/, maillog (Sendmail's log),
# daemon.out (its stdout/stderr), hosts, resolv.conf, service.switch,
# ns.sh (namespace set-up), syslogd.py (log listener), send/ (swaks).
#
# The tricks:
# - Sendmail runs in its own PID and mount namespace ("unshare --mount
#   --pid --fork --kill-child"), as the child of ns.sh, PID 1 there.  In
#   there /etc/hosts and /etc/resolv.conf are test files (Sendmail looks
#   up its own name at start and hangs while no DNS server answers;
#   "nameserver 127.0.0.1" is refused at once), and /dev is a small tmpfs
#   of symlinks to the real devices plus /dev/log -> $SM_DIR/log.sock,
#   where a python3 syslog listener writes $SM_DIR/maillog (there is no
#   syslog daemon).  Nothing is mounted outside the namespace.
# - Stopping: SIGTERM to the Sendmail daemon; when it exits ns.sh ends,
#   and with PID 1 gone the kernel kills every process left in the
#   namespace: delivery children that Sendmail put in sessions of their
#   own with setsid(), and the log listener.  SIGKILL to PID 1 after
#   5 s.  Should the test shell die without its EXIT trap, setpriv's
#   parent-death signal kills unshare and --kill-child PID 1.
# - Relaying: SMART_HOST, MAIL_HUB and LOCAL_RELAY all name
#   relay:[127.0.0.1] and the relay/esmtp/smtp mailers connect to
#   $SM_RELAY_PORT ("TCP $h PORT"), so every recipient, of any domain or
#   none, leaves by SMTP; the local mailer (procmail, from
#   OSTYPE(linux)) is /bin/false in case anything still reached it.
#   Postfix accepts only its PF_DOMAINS: other domains bounce.
# - Quarantine: smfi_quarantine() makes Sendmail write a "q<reason>" line
#   into the queue control file and rename it from qfQID to hfQID
#   ("held"); no queue run touches it, the log says "stat=quarantined".
#   "mailq -qQ" lists them (here: sm_mailq -qQ); "sendmail -qQ -Q -qIQID"
#   releases one (hf becomes qf again), sm_release does that and runs it.
#
# Exports (functions):
#   sm_setup                 fetch/unpack Sendmail (once); sets SM_ROOT
#   sm_init                  create $SM_DIR (sm_start calls it)
#   sm_milter_dir            print a directory fit for the milter socket
#   sm_use_milter_socket     point ms_start at $(sm_milter_dir)/milter.sock
#   sm_dir_safe DIR          true when DIR and all parents are not group/
#                            world-writable; else print the culprit
#   sm_start                 write test.mc/test.cf, start the daemon on a
#                            free port ($SM_PORT), relaying to $SM_RELAY_PORT
#   sm_stop                  stop it (the whole namespace); idempotent
#   sm_restart               sm_stop + sm_start (after changing SM_MILTER_*)
#   sm_send FROM TO[,TO...] FILE [SWAKS-ARGS...]
#                            send FILE over SMTP to Sendmail, byte for byte
#   sm_last_queue_id         Sendmail's queue id of the last sm_send
#   sm_queue_count           messages waiting for delivery (qf/tf files)
#   sm_wait_queue_empty [SECS]
#                            wait until nothing waits; on timeout print the
#                            queue and the log tail, fail
#   sm_held                  quarantined messages: "QID<TAB>reason<TAB>rcpts"
#   sm_release QID           un-quarantine QID and deliver it now
#   sm_delivered QID         "ADDRESS<TAB>FILE" for each copy of Sendmail's
#                            message QID that Postfix delivered (ADDRESS is
#                            the envelope recipient, X-Original-To)
#   sm_wait_delivered QID N [SECS]
#                            wait until N copies of QID are delivered and
#                            both queues are empty; on timeout print why
#   sm_log                   print the path of Sendmail's log
#   sm_log_tail [N]          its last N lines
#   sm_ns CMD...             run CMD in a namespace like the daemon's
#   sm_sendmail ARGS...      the private sendmail binary with -C test.cf
#   sm_mailq [ARGS...]       its queue listing (-qQ: quarantined only)
#   sm_cleanup               the EXIT trap: stop Sendmail, then postfix.sh's
#                            e2e_cleanup (milter, Postfix), remove $SM_DIR
#
# Settings (environment, all optional):
#   SM_CACHE            where the .debs and the unpacked tree live (default
#                       /var/cache/escalation-milter-test/sendmail)
#   SM_TMPDIR           where $SM_DIR is made (default /run)
#   SM_DIR              use this directory instead
#   SM_DOMAIN           Sendmail's own name, confDOMAIN_NAME
#                       (default mta.sendmail.example)
#   SM_MILTER           the filter's S= socket, or "none" for no filter
#                       (default: local:<path> from MS_SPEC/MS_SOCKET)
#   SM_MILTER_FLAGS     F= when the filter cannot be reached: T tempfail,
#                       R reject, 4 tempfail with 421, "" pass mail
#                       through unfiltered (default T)
#   SM_MILTER_TIMEOUTS  T= (default C:10s;S:30s;R:30s;E:5m)
#   SM_RELAY_HOST       default 127.0.0.1
#   SM_RELAY_PORT       default $PF_PORT at sm_start
#   SM_QUEUE_INTERVAL   -q interval for retries (default 2s)
#   SM_LOG_LEVEL        LogLevel (default 14); SM_MILTER_LOG_LEVEL (14)
#   SM_MC_EXTRA         more .mc lines, put before the MAILER lines
#   SM_TIMEOUT          default seconds for the sm_wait_* functions (30)
#   PF_KEEP=1           keep $SM_DIR (and $PF_DIR) at exit
#
# Needs root: unshare and mounts, and Sendmail's daemon.

SM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! declare -F pf_init >/dev/null; then
	# shellcheck source=tests/e2e/postfix.sh
	. "$SM_LIB_DIR/postfix.sh"
fi

SM_CACHE=${SM_CACHE:-/var/cache/escalation-milter-test/sendmail}
SM_TMPDIR=${SM_TMPDIR:-/run}
SM_DOMAIN=${SM_DOMAIN:-mta.sendmail.example}
SM_MILTER=${SM_MILTER:-}
SM_MILTER_FLAGS=${SM_MILTER_FLAGS-T}
SM_MILTER_TIMEOUTS=${SM_MILTER_TIMEOUTS:-C:10s;S:30s;R:30s;E:5m}
SM_RELAY_HOST=${SM_RELAY_HOST:-127.0.0.1}
SM_RELAY_PORT=${SM_RELAY_PORT:-}
SM_QUEUE_INTERVAL=${SM_QUEUE_INTERVAL:-2s}
SM_LOG_LEVEL=${SM_LOG_LEVEL:-14}
SM_MILTER_LOG_LEVEL=${SM_MILTER_LOG_LEVEL:-14}
SM_MC_EXTRA=${SM_MC_EXTRA:-}
SM_TIMEOUT=${SM_TIMEOUT:-30}
# Shared libraries of the unpacked sendmail binary, by Debian package.
SM_RUNTIME_PKGS="m4 libwrap0 liblockfile1 libldap-2.5-0 libdb5.3 libsasl2-2 libnsl2 libssl3"

SM_DIR=${SM_DIR:-}
SM_ROOT=
SM_BIN=
SM_PORT=
SM_PID=			# the unshare process, our child
SM_INIT_PID=		# its child, PID 1 of the namespace (sh ns.sh)
SM_DAEMON_PID=		# Sendmail's daemon, child of that
SM_SEQ=0
SM_LAST_SEND_LOG=

sm_log_msg() {
	printf '%s\n' "sendmail.sh: $*" >&2
}

# True when package $1 is installed.
sm_have_pkg() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
	    grep -q '^install ok installed$'
}

# The newest version of package $1 in $SM_CACHE, from the .deb files.
sm_cached_version() {
	local f
	for f in "$SM_CACHE/debs/$1"_*.deb; do
		[ -f "$f" ] && dpkg-deb -f "$f" Version
	done | sort -V | tail -n 1
}

# Runs apt-get download for the three packages at version $1 (or the
# candidate when empty) into $SM_CACHE/debs.
sm_download() {
	local ver=$1 p args=
	for p in sendmail-bin sendmail-base sendmail-cf; do
		args="$args $p${ver:+=$ver}"
	done
	# shellcheck disable=SC2086 # package list
	(cd "$SM_CACHE/debs" &&
	    apt-get download -q -o APT::Sandbox::User=root $args) \
	    >"$SM_CACHE/download.log" 2>&1
}

# Fetches and unpacks Sendmail once; sets SM_ROOT and SM_BIN.  Installs
# nothing: names missing packages and fails.
sm_setup() {
	local p missing='' ver cand tmp f lock_fd libs
	if [ "$(id -u)" != 0 ]; then
		sm_log_msg "needs root (unshare, mounts, Sendmail's daemon)"
		return 1
	fi
	for p in $SM_RUNTIME_PKGS; do
		sm_have_pkg "$p" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		sm_log_msg "missing Debian packages:$missing (apt-get install$missing, or make deps)"
		return 1
	fi
	for p in unshare setpriv python3 swaks apt-get dpkg-deb flock; do
		if ! command -v "$p" >/dev/null; then
			sm_log_msg "$p not found"
			return 1
		fi
	done
	mkdir -p "$SM_CACHE/debs" || return 1
	exec {lock_fd}>"$SM_CACHE/.lock"
	if ! flock -w 120 "$lock_fd"; then
		sm_log_msg "cannot lock $SM_CACHE/.lock within 120 s"
		exec {lock_fd}>&-
		return 1
	fi
	cand=$(apt-cache policy sendmail-bin 2>/dev/null |
	    awk '$1 == "Candidate:" { print $2 }')
	[ "$cand" = "(none)" ] && cand=
	ver=$(sm_cached_version sendmail-bin)
	if [ -n "$cand" ] && [ "$cand" != "$ver" ]; then
		sm_download "$cand" || sm_log_msg "apt-get download $cand failed (see $SM_CACHE/download.log); using the cache"
	elif [ -z "$ver" ]; then
		# No candidate: the package lists were never fetched (a bare
		# image).  Fetching them installs nothing.
		sm_log_msg "no sendmail-bin in the package lists: running apt-get update"
		apt-get update -q >"$SM_CACHE/update.log" 2>&1
		sm_download "" || true
	fi
	ver=$(sm_cached_version sendmail-bin)
	for p in sendmail-bin sendmail-base sendmail-cf; do
		f=$(find "$SM_CACHE/debs" -name "${p}_*.deb" 2>/dev/null |
		    while read -r f; do
			[ "$(dpkg-deb -f "$f" Version)" = "$ver" ] && echo "$f"
		done | head -n 1)
		if [ -z "$ver" ] || [ -z "$f" ]; then
			sm_log_msg "no $p .deb in $SM_CACHE/debs; apt-get download said:"
			tail -n 5 "$SM_CACHE/download.log" >&2 2>/dev/null
			exec {lock_fd}>&-
			return 1
		fi
	done
	SM_ROOT="$SM_CACHE/root-${ver//[^A-Za-z0-9.+~-]/_}"
	if [ ! -x "$SM_ROOT/usr/libexec/sendmail/sendmail" ]; then
		tmp=$(mktemp -d "$SM_CACHE/unpack.XXXXXX") || { exec {lock_fd}>&-; return 1; }
		for p in sendmail-bin sendmail-base sendmail-cf; do
			f=$(find "$SM_CACHE/debs" -name "${p}_*.deb" | while read -r f; do
				[ "$(dpkg-deb -f "$f" Version)" = "$ver" ] && echo "$f"
			done | head -n 1)
			dpkg -x "$f" "$tmp" || { rm -rf "$tmp"; exec {lock_fd}>&-; return 1; }
		done
		rm -rf "$SM_ROOT"
		mv "$tmp" "$SM_ROOT"
		chmod 755 "$SM_ROOT"
	fi
	exec {lock_fd}>&-
	SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
	libs=$(ldd "$SM_BIN" 2>&1 | awk '/not found/ { print $1 }' | tr '\n' ' ')
	if [ -n "$libs" ]; then
		sm_log_msg "$SM_BIN needs libraries that are missing: $libs"
		return 1
	fi
	return 0
}

# True when DIR and every parent are writable by their owner only;
# otherwise prints the first offender.  (Sendmail's rule for the milter
# socket's directories; sticky /tmp does not count as safe.)
sm_dir_safe() {
	local d m
	d=$(cd "$1" && pwd -P) || return 1
	while :; do
		m=$(stat -c '%a' "$d") || return 1
		if [ $((8#$m & 8#022)) -ne 0 ]; then
			printf '%s is mode %s (group/world-writable)\n' "$d" "$m"
			return 1
		fi
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

# Creates $SM_DIR and installs the EXIT trap (which also runs postfix.sh's
# e2e_cleanup).  Idempotent.  Not for $(...): a trap set in a subshell
# would clean up when the subshell ends.
sm_init() {
	if [ -z "$SM_DIR" ]; then
		SM_DIR=$(mktemp -d "$SM_TMPDIR/escm-sm.XXXXXX") || return 1
	fi
	mkdir -p "$SM_DIR/queue" "$SM_DIR/milter" "$SM_DIR/hostdev" \
	    "$SM_DIR/send" || return 1
	chmod 755 "$SM_DIR" "$SM_DIR/milter"
	chmod 700 "$SM_DIR/queue"
	[ "$BASH_SUBSHELL" -eq 0 ] || return 0
	# One trap for both libraries; pf_init must not replace it.
	PF_TRAP_SET=1
	trap 'sm_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# Prints a directory for the milter's unix socket that Sendmail accepts
# (after sm_init).
sm_milter_dir() {
	if [ -z "$SM_DIR" ] || [ ! -d "$SM_DIR/milter" ]; then
		sm_log_msg "sm_milter_dir: call sm_init first"
		return 1
	fi
	if ! sm_dir_safe "$SM_DIR/milter" >&2; then
		sm_log_msg "Sendmail would refuse a socket in $SM_DIR/milter; set SM_TMPDIR"
		return 1
	fi
	printf '%s\n' "$SM_DIR/milter"
}

# Makes ms_start (postfix.sh) listen in $(sm_milter_dir).  Not for $(...).
sm_use_milter_socket() {
	local dir
	sm_init || return 1
	dir=$(sm_milter_dir) || return 1
	MS_SOCKET=$dir/milter.sock
	MS_SPEC=unix:$MS_SOCKET
}

# The S= value for the .mc: libmilter's unix:/path is Sendmail's local:.
sm_milter_socket() {
	local spec=$SM_MILTER
	if [ -z "$spec" ]; then
		spec=${MS_SPEC:-unix:${MS_SOCKET:-$SM_DIR/milter/milter.sock}}
	fi
	case $spec in
	unix:*) printf 'local:%s\n' "${spec#unix:}" ;;
	*) printf '%s\n' "$spec" ;;
	esac
}

# Writes $SM_DIR/test.mc and builds test.cf with m4.
sm_write_cf() {
	local cf=$SM_ROOT/usr/share/sendmail/cf sock filter='' flags=''
	sock=$(sm_milter_socket)
	if [ "$SM_MILTER" != none ]; then
		[ -n "$SM_MILTER_FLAGS" ] && flags="F=$SM_MILTER_FLAGS, "
		filter="INPUT_MAIL_FILTER(\`escalation', \`S=$sock, ${flags}T=$SM_MILTER_TIMEOUTS')dnl"
	fi
	cat >"$SM_DIR/test.mc" <<EOF
divert(-1)
# Private test instance written by tests/e2e/sendmail.sh; not a system MTA.
# Every recipient is relayed by SMTP to $SM_RELAY_HOST:$SM_RELAY_PORT.
divert(0)dnl
VERSIONID(\`escalation-milter e2e')dnl
dnl The local mailer of OSTYPE(linux) is procmail: never used, and false.
define(\`PROCMAIL_MAILER_PATH', \`/bin/false')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$SM_DOMAIN')dnl
define(\`QUEUE_DIR', \`$SM_DIR/queue')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`HELP_FILE', \`$SM_ROOT/etc/mail/helpfile')dnl
define(\`STATUS_FILE', \`$SM_DIR/statistics')dnl
define(\`confPID_FILE', \`$SM_DIR/sendmail.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_DIR/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM_DIR/hosts')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confTO_CONNECT', \`10s')dnl
define(\`confTO_ICONNECT', \`10s')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confLOG_LEVEL', \`$SM_LOG_LEVEL')dnl
define(\`confMILTER_LOG_LEVEL', \`$SM_MILTER_LOG_LEVEL')dnl
define(\`confAUTH_MECHANISMS', \`')dnl
define(\`SMART_HOST', \`relay:[$SM_RELAY_HOST]')dnl
define(\`MAIL_HUB', \`relay:[$SM_RELAY_HOST]')dnl
define(\`LOCAL_RELAY', \`relay:[$SM_RELAY_HOST]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SM_RELAY_PORT')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SM_RELAY_PORT')dnl
define(\`SMTP_MAILER_ARGS', \`TCP \$h $SM_RELAY_PORT')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Family=inet, Addr=127.0.0.1, Port=$SM_PORT, Name=MTA')dnl
$filter
$SM_MC_EXTRA
MAILER(\`smtp')dnl
EOF
	m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$SM_DIR/test.mc" \
	    >"$SM_DIR/test.cf" 2>"$SM_DIR/m4.err" || {
		sm_log_msg "m4 failed building test.cf:"
		cat "$SM_DIR/m4.err" >&2
		return 1
	}
}

# Writes the files the namespace uses.
sm_write_ns_files() {
	local host
	host=$(uname -n)
	printf 'hosts files\naliases files\n' >"$SM_DIR/service.switch"
	{
		printf '127.0.0.1\tlocalhost %s %s\n' "$SM_DOMAIN" "$host"
		printf '::1\tlocalhost ip6-localhost %s\n' "$host"
	} >"$SM_DIR/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	    >"$SM_DIR/resolv.conf"
	: >>"$SM_DIR/statistics"
	: >>"$SM_DIR/maillog"
	cat >"$SM_DIR/syslogd.py" <<'EOF'
# A syslog listener for one Sendmail: datagrams on argv[1] become lines
# of argv[2] (the "<PRI>" prefix dropped).  Written by sendmail.sh.
import os, signal, socket, sys
path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
with open(out, "ab", buffering=0) as f:
    while True:
        d = s.recv(65536)
        if d.startswith(b"<"):
            d = d[d.find(b">") + 1:]
        f.write(d.rstrip(b"\0\n") + b"\n")
EOF
	cat >"$SM_DIR/ns.sh" <<EOF
# Runs inside "unshare --mount": test name service files, /dev/log to
# our listener.  Written by tests/e2e/sendmail.sh.
set -e
D='$SM_DIR'
mount --bind "\$D/hosts" /etc/hosts
mount --bind "\$D/resolv.conf" /etc/resolv.conf
mount --rbind /dev "\$D/hostdev"
mount -t tmpfs -o mode=755,size=64k escm-sm-dev /dev
for n in \$(ls -A "\$D/hostdev"); do ln -s "\$D/hostdev/\$n" "/dev/\$n"; done
ln -s "\$D/log.sock" /dev/log
if [ "\$1" != daemon ]; then
	exec "\$@"
fi
# As PID 1 of the PID namespace: start the log listener, run Sendmail in
# the foreground; when it ends, so does this shell and with it every
# process left in the namespace.  (Not exec: Sendmail changes its
# credentials, which clears the parent-death signal of --kill-child.)
shift
python3 "\$D/syslogd.py" "\$D/log.sock" "\$D/maillog" &
i=0
while [ ! -S "\$D/log.sock" ] && [ \$i -lt 100 ]; do
	sleep 0.05
	i=\$((i + 1))
done
"\$@"
EOF
}

# True while something listens on 127.0.0.1:$1 (from /proc: a test
# connection would make Sendmail log a lost client).
sm_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" 'NR > 1 && $4 == "0A" && $2 == "0100007F" p { f = 1 } END { exit !f }' \
	    /proc/net/tcp
}

# Runs CMD... in a new mount namespace set up like the daemon's.
sm_ns() {
	unshare --mount --propagation private -- sh "$SM_DIR/ns.sh" "$@"
}

# The private sendmail with this instance's configuration.
sm_sendmail() {
	sm_ns "$SM_BIN" -C "$SM_DIR/test.cf" "$@"
}

# Sendmail's queue listing (mailq); -qQ lists the quarantined messages.
sm_mailq() {
	sm_sendmail -bp "$@"
}

# Host PIDs of the children of $1 whose command name is $2 (all: "").
sm_children() {
	ps -o pid=,comm= --ppid "$1" 2>/dev/null |
	    awk -v c="$2" 'c == "" || $2 == c { print $1 }'
}

# Starts the daemon; sets SM_PORT, SM_PID (unshare), SM_INIT_PID (PID 1
# of the namespace) and SM_DAEMON_PID (Sendmail).  Not for $(...) or
# ( ): the daemon ends with the shell that started it.
sm_start() {
	local try i
	if [ -z "$SM_BIN" ] || [ ! -x "$SM_BIN" ]; then
		sm_setup || return 1
	fi
	sm_init || return 1
	if [ -n "$SM_PID" ]; then
		sm_log_msg "already started (unshare $SM_PID)"
		return 1
	fi
	SM_RELAY_PORT=${SM_RELAY_PORT:-$PF_PORT}
	if [ -z "$SM_RELAY_PORT" ]; then
		sm_log_msg "no relay: start Postfix first (pf_start) or set SM_RELAY_PORT"
		return 1
	fi
	if [ "$SM_MILTER" != none ]; then
		case $(sm_milter_socket) in
		local:*)
			sm_dir_safe "$(dirname "$(sm_milter_socket | cut -d: -f2-)")" >&2 ||
			    sm_log_msg "Sendmail will call this milter socket unsafe"
			;;
		esac
	fi
	sm_write_ns_files
	for try in 1 2 3; do
		SM_PORT=$(pf_free_port) || return 1
		sm_write_cf || return 1
		printf '=== start %s on port %s\n' "$(date '+%T')" "$SM_PORT" >>"$SM_DIR/daemon.out"
		# If this shell dies without cleaning up, setpriv's parent-death
		# signal kills unshare (SIGKILL: it ignores SIGTERM), whose
		# --kill-child kills PID 1 of the namespace, which takes every
		# process in there with it.
		setpriv --pdeathsig KILL -- \
		    unshare --mount --pid --fork --kill-child --propagation private -- \
		    sh "$SM_DIR/ns.sh" daemon "$SM_BIN" -C "$SM_DIR/test.cf" \
		    -bD -q"$SM_QUEUE_INTERVAL" -L sm-e2e \
		    </dev/null >>"$SM_DIR/daemon.out" 2>&1 &
		SM_PID=$!
		for i in $(seq 1 100); do
			if ! kill -0 "$SM_PID" 2>/dev/null; then
				break
			fi
			if sm_listening "$SM_PORT"; then
				SM_INIT_PID=$(sm_children "$SM_PID" "")
				SM_DAEMON_PID=$(sm_children "$SM_INIT_PID" sendmail)
				return 0
			fi
			sleep 0.1
		done
		sm_log_msg "Sendmail did not listen on 127.0.0.1:$SM_PORT (try $try)"
		sm_stop
		# Only a port taken meanwhile is worth another try.
		grep -q -i 'address already in use' "$SM_DIR/daemon.out" "$SM_DIR/maillog" ||
		    break
	done
	sm_log_msg "Sendmail did not start; its output and log:"
	tail -n 15 "$SM_DIR/daemon.out" >&2
	sm_log_tail 15 >&2
	return 1
}

# Stops the daemon (SIGTERM) and with it its whole namespace; after 5 s
# SIGKILL to the namespace's PID 1.  Idempotent, bounded.
sm_stop() {
	local i
	[ -n "$SM_PID" ] || return 0
	[ -n "$SM_INIT_PID" ] || SM_INIT_PID=$(sm_children "$SM_PID" "")
	if [ -z "$SM_DAEMON_PID" ] && [ -n "$SM_INIT_PID" ]; then
		SM_DAEMON_PID=$(sm_children "$SM_INIT_PID" sendmail)
	fi
	[ -n "$SM_DAEMON_PID" ] && kill "$SM_DAEMON_PID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$SM_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SM_PID" 2>/dev/null; then
		sm_log_msg "Sendmail did not stop within 5 s; killing its namespace"
		[ -n "$SM_INIT_PID" ] && kill -9 "$SM_INIT_PID" 2>/dev/null
		kill -9 "$SM_PID" 2>/dev/null
	fi
	wait "$SM_PID" 2>/dev/null
	SM_PID=
	SM_INIT_PID=
	SM_DAEMON_PID=
}

sm_restart() {
	sm_stop && sm_start
}

# Sends FILE from FROM to TO (comma-separated: several RCPT TO) to
# Sendmail; extra args go to swaks.  Transcript in $SM_DIR/send/N.log
# ($SM_LAST_SEND_LOG); returns swaks's status.
sm_send() {
	local from=$1 to=$2 file=$3 wire log
	shift 3
	SM_SEQ=$((SM_SEQ + 1))
	wire="$SM_DIR/send/$SM_SEQ.wire"
	log="$SM_DIR/send/$SM_SEQ.log"
	pf_wire "$file" >"$wire" || return 1
	SM_LAST_SEND_LOG=$log
	swaks --server 127.0.0.1 --port "$SM_PORT" --helo client.customer.example \
	    --from "$from" --to "$to" --data "@$wire" --no-data-fixup \
	    --timeout 30 --suppress-data "$@" </dev/null >"$log" 2>&1
}

# The queue id Sendmail gave the last message sent ("250 2.0.0 QID
# Message accepted for delivery").
sm_last_queue_id() {
	sed -n 's/.*250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' \
	    "$SM_LAST_SEND_LOG" | tail -n 1
}

# Messages waiting for delivery: control files qf* (and tf* being
# written).  Held (hf*) messages do not count.
sm_queue_count() {
	find "$SM_DIR/queue" -maxdepth 1 -type f \( -name 'qf*' -o -name 'tf*' \) 2>/dev/null | wc -l
}

# Waits until Sendmail's queue is empty (all relayed or held).
sm_wait_queue_empty() {
	local secs=${1:-$SM_TIMEOUT} end n
	end=$(($(date +%s) + secs))
	while :; do
		n=$(sm_queue_count)
		[ "$n" -eq 0 ] && return 0
		if [ "$(date +%s)" -ge "$end" ]; then
			sm_log_msg "timeout after ${secs}s: $n message(s) in Sendmail's queue:"
			ls -l "$SM_DIR/queue" >&2
			sm_log_msg "Sendmail log tail:"
			sm_log_tail 25 >&2
			return 1
		fi
		sleep 0.1
	done
}

# Quarantined messages: one line "QID<TAB>reason<TAB>rcpt,rcpt" per
# queue control file with a "q" line (Sendmail 8.17 names them hfQID;
# qf files are looked at too), "R<flags>:<address>" lines being the
# recipients still to deliver.
sm_held() {
	local f
	for f in "$SM_DIR"/queue/hf* "$SM_DIR"/queue/qf*; do
		[ -f "$f" ] || continue
		awk -v id="${f##*/[hq]f}" '
			/^q/ { reason = substr($0, 2); held = 1 }
			/^R/ { sub(/^R[^:]*:/, ""); r = r (r == "" ? "" : ",") $0 }
			END { if (held) printf "%s\t%s\t%s\n", id, reason, r }' "$f"
	done
}

# Releases quarantined message QID (hf becomes qf again) and runs it at
# once, in the foreground; it goes to the relay like any other.
sm_release() {
	sm_sendmail -qQ -Q -qI"$1" && sm_sendmail -qI"$1"
}

# Copies Postfix delivered of Sendmail's message QID: "ADDRESS<TAB>FILE"
# sorted, ADDRESS being the envelope recipient Postfix got (X-Original-To).
sm_delivered() {
	local qid=${1:-} f
	[ -n "$qid" ] || return 1
	find "$PF_DIR/mail" -path '*/new/*' -type f 2>/dev/null |
	    while read -r f; do
		# Sendmail's Received field: "by DOMAIN (8.17...) with ESMTP id QID"
		if sed '/^$/q' "$f" | grep -q -E "[[:space:]]id $qid(;|\$)"; then
			printf '%s\t%s\n' "$(sed -n 's/^X-Original-To: *//p;/^$/q' "$f" | head -n 1)" "$f"
		fi
	done | sort
}

# Waits until N copies of Sendmail's message QID are delivered and both
# queues are empty; on timeout prints both logs' tails and fails.
sm_wait_delivered() {
	local qid=$1 want=$2 secs=${3:-$SM_TIMEOUT} end have
	end=$(($(date +%s) + secs))
	while :; do
		have=$(sm_delivered "$qid" | wc -l)
		if [ "$have" -ge "$want" ] && [ "$(sm_queue_count)" -eq 0 ] &&
		    [ "$(pf_queue_count)" -eq 0 ]; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			sm_log_msg "timeout after ${secs}s: $have of $want copies of $qid delivered; $(sm_queue_count) in Sendmail's queue, $(pf_queue_count) in Postfix's"
			sm_log_msg "Sendmail log tail:"
			sm_log_tail 15 >&2
			sm_log_msg "Postfix log tail:"
			pf_maillog_tail 10 >&2
			return 1
		fi
		sleep 0.1
	done
}

sm_log() {
	printf '%s\n' "$SM_DIR/maillog"
}

sm_log_tail() {
	tail -n "${1:-20}" "$SM_DIR/maillog" 2>/dev/null
}

# The EXIT trap: Sendmail first (the milter's and Postfix's client), then
# postfix.sh's cleanup (milter, Postfix, $PF_DIR), then $SM_DIR.
sm_cleanup() {
	local rc=$?
	sm_stop
	if declare -F e2e_cleanup >/dev/null; then
		e2e_cleanup
	fi
	if [ -n "$SM_DIR" ] && [ -d "$SM_DIR" ]; then
		if [ -n "${PF_KEEP:-}" ]; then
			sm_log_msg "kept $SM_DIR"
		else
			rm -rf "$SM_DIR"
		fi
	fi
	return $rc
}
