-- protocol.lua - the milter protocol against the running daemon.
--
-- Run by run.sh: miltertest -D bin=... -D conf=... -D sock=... -s protocol.lua
-- Prints "ok - ..." / "not ok - ..." per check and a summary line.

local pass, fail = 0, 0
local function check(cond, what)
	if cond then
		pass = pass + 1
		mt.echo("ok - " .. what)
	else
		fail = fail + 1
		mt.echo("not ok - " .. what)
	end
end

mt.startfilter(bin, "-f", "-c", conf, "-p", sock)

local function open()
	local conn = mt.connect(sock, 240, 0.25)
	if conn == nil then
		error("cannot connect to " .. sock)
	end
	if mt.conninfo(conn, "client.example", "127.0.0.1") ~= nil then
		error("conninfo failed")
	end
	return conn
end

-- One message: headers is a list of {name, value}; returns nothing.
local function send(conn, qid, headers, body)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	check(mt.mailfrom(conn, "<customer@example.com>") == nil, qid .. ": MAIL")
	check(mt.rcptto(conn, "<support@shop.example>") == nil, qid .. ": RCPT")
	for _, h in ipairs(headers) do
		if mt.header(conn, h[1], h[2]) ~= nil then
			error("header failed")
		end
	end
	check(mt.eoh(conn) == nil, qid .. ": EOH")
	check(mt.bodystring(conn, body) == nil, qid .. ": body")
	check(mt.eom(conn) == nil, qid .. ": EOM")
	local r = mt.getreply(conn)
	check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, qid .. ": accepted")
end

local conn = open()
check(mt.test_action(conn, SMFIF_ADDHDRS), "negotiated: add headers")
check(mt.test_action(conn, SMFIF_CHGHDRS), "negotiated: change headers")
check(not mt.test_action(conn, SMFIF_CHGBODY), "negotiated: body untouched")
check(not mt.test_action(conn, SMFIF_ADDRCPT), "negotiated: no recipient changes without channels")
check(not mt.test_action(conn, SMFIF_QUARANTINE), "negotiated: no quarantine without channels")

-- 1. an escalated message: headers added, subject tagged
send(conn, "QID1", {
	{ "From", "Customer <customer@example.com>" },
	{ "Subject", "Order 1234" },
}, "I will have my lawyer contact you and I will file a chargeback.\r\n")
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation"), "QID1: X-Escalation added")
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation-Signals"), "QID1: signals added")
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation-Reason"), "QID1: reason added")
local fired = mt.getheader(conn, "X-Escalation", 0)
check(fired ~= nil and string.find(fired, "legal", 1, true) ~= nil and
	string.find(fired, "chargeback", 1, true) ~= nil,
	"QID1: X-Escalation names legal and chargeback: " .. tostring(fired))
check(mt.eom_check(conn, MT_HDRCHANGE, "Subject"), "QID1: subject changed")
check(not mt.eom_check(conn, MT_HDRDELETE), "QID1: nothing deleted")

-- 2. same connection, forged headers from outside, neutral text
send(conn, "QID2", {
	{ "From", "Customer <customer@example.com>" },
	{ "Subject", "Tracking" },
	{ "X-Escalation", "legal" },
	{ "X-Escalation-Signals", "legal=1/1" },
}, "Could you send me the tracking number, please?\r\n")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Escalation"), "QID2: forged X-Escalation deleted")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Escalation-Signals"), "QID2: forged signals deleted")
check(not mt.eom_check(conn, MT_HDRADD), "QID2: nothing added")
check(not mt.eom_check(conn, MT_HDRCHANGE, "Subject"), "QID2: subject untouched")

-- 3. an aborted message leaves nothing behind for the next one
mt.macro(conn, SMFIC_MAIL, "i", "QID3")
mt.mailfrom(conn, "<customer@example.com>")
mt.rcptto(conn, "<support@shop.example>")
mt.header(conn, "Subject", "half")
mt.eoh(conn)
mt.bodystring(conn, "my lawyer will sue you, my attorney agrees\r\n")
check(mt.abort(conn) == nil, "QID3: abort")
send(conn, "QID4", {
	{ "From", "Customer <customer@example.com>" },
	{ "Subject", "Thanks" },
}, "Thank you, all good now.\r\n")
check(not mt.eom_check(conn, MT_HDRADD), "QID4: untouched after an aborted message")
check(not mt.eom_check(conn, MT_HDRCHANGE), "QID4: subject untouched")
mt.disconnect(conn)

-- 4. a subject already tagged is not tagged twice; body in many chunks
conn = open()
mt.macro(conn, SMFIC_MAIL, "i", "QID5")
mt.mailfrom(conn, "<customer@example.com>")
mt.rcptto(conn, "<support@shop.example>")
mt.header(conn, "Subject", "Re: [ESCALATED: legal] Order 1234")
mt.eoh(conn)
for _, w in ipairs({ "I ", "am ", "calling ", "my ", "law", "yer ", "today.\r\n" }) do
	mt.bodystring(conn, w)
end
mt.eom(conn)
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation"), "QID5: chunked body still detected")
check(not mt.eom_check(conn, MT_HDRCHANGE, "Subject"), "QID5: subject not tagged twice")
mt.disconnect(conn)

-- 5. a connection dropped mid-message does not hurt the filter
conn = open()
mt.mailfrom(conn, "<customer@example.com>")
mt.rcptto(conn, "<support@shop.example>")
mt.header(conn, "Subject", "drop")
mt.disconnect(conn, false)
conn = open()
send(conn, "QID6", { { "Subject", "after drop" } }, "my lawyer\r\n")
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation"), "QID6: filter alive after a dropped connection")
mt.disconnect(conn)

mt.echo("protocol: " .. pass .. " passed, " .. fail .. " failed")
if fail > 0 then
	error("protocol checks failed")
end
