-- history.lua - the conversation history through the milter protocol:
-- thresholds count across a customer's messages, and a store that is
-- down never costs mail (X-Escalation-History: unavailable, the message
-- judged on its own counts) or, with on_unavailable: tempfail, tempfails.
--
-- Run by run.sh:
--   miltertest -D bin=... -D conf=... -D sock=... -D mode=MODE
--       [-D ctl=SCRIPT] -s history.lua
-- MODE:
--   redis     a thread, then "ctl stop" (the Redis server goes away): the
--             next message is accepted, flagged and judged alone; "ctl
--             start" (same port, empty): history is back within 40 s
--   sqlite    the store file is garbage: flagged and judged alone; "ctl
--             fix sqlite" removes the file: the milter's retry (every 2 s)
--             opens a new store within 40 s
--   tempfail  the store file is garbage, on_unavailable: tempfail
-- Queue ids (macro i) name the messages for run.sh's log checks: MODE's
-- first letter in upper case, then a number (R1, S2, T1; probes RP1...).
-- Prints "ok - ..." / "not ok - ..." per check; run.sh counts them.

local pass, fail = 0, 0
local function check(cond, what)
	if cond then
		pass = pass + 1
		mt.echo("ok - " .. mode .. ": " .. what)
	else
		fail = fail + 1
		mt.echo("not ok - " .. mode .. ": " .. what)
	end
end

local P = string.upper(string.sub(mode, 1, 1))
local CUSTOMER = "<jo." .. mode .. "@example.com>"
local THREAT = "The kettle is still broken. I will leave a 1-star review.\r\n"
local NEUTRAL = "Thank you, that helps.\r\n"

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

-- One message from FROM; returns the reply to end of message.
local function send(conn, qid, from, body)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	if mt.mailfrom(conn, from) ~= nil or
	    mt.rcptto(conn, "<support@shop.example>") ~= nil then
		error(qid .. ": envelope refused")
	end
	for _, h in ipairs({
		{ "From", "Jo <" .. string.sub(from, 2) },
		{ "To", "support@shop.example" },
		{ "Subject", "Kettle" },
		{ "Message-ID", "<" .. qid .. "." .. mode .. "@example.com>" },
	}) do
		if mt.header(conn, h[1], h[2]) ~= nil then
			error(qid .. ": header refused")
		end
	end
	if mt.eoh(conn) ~= nil or mt.bodystring(conn, body) ~= nil or
	    mt.eom(conn) ~= nil then
		error(qid .. ": message refused")
	end
	return mt.getreply(conn)
end

local function accepted(r)
	return r == SMFIR_ACCEPT or r == SMFIR_CONTINUE
end

-- True when the milter added header NAME (with VALUE, when given).
local function added(conn, name, value)
	if value == nil then
		return mt.eom_check(conn, MT_HDRADD, name)
	end
	return mt.eom_check(conn, MT_HDRADD, name, value)
end

-- A message while the store is down: accepted, flagged, judged alone.
local function degraded(conn, qid, what)
	local r = send(conn, qid, CUSTOMER, THREAT)
	check(accepted(r), qid .. " " .. what .. ": accepted")
	check(added(conn, "X-Escalation-History", "unavailable"),
		qid .. " " .. what .. ": X-Escalation-History: unavailable added")
	check(added(conn, "X-Escalation-Signals", "review-threat=1/2"),
		qid .. " " .. what .. ": judged alone (review-threat=1/2)")
	check(not added(conn, "X-Escalation"),
		qid .. " " .. what .. ": not escalated (no count, no follow-up)")
end

-- Sends neutral probes (another customer) every second until one
-- comes back without the unavailable flag; returns the seconds waited
-- or nil after limit seconds.
local function wait_history(conn, limit)
	local t0 = os.time()
	local n = 0
	while os.time() - t0 <= limit do
		n = n + 1
		local r = send(conn, P .. "P" .. n, "<probe." .. mode .. "@example.com>",
			NEUTRAL)
		if not accepted(r) then
			return nil
		end
		if not added(conn, "X-Escalation-History") then
			return os.time() - t0
		end
		mt.sleep(1)
	end
	return nil
end

-- Two threats: the first is counted, the second escalates.
local function thread(conn1, conn2, first, what)
	local r = send(conn1, P .. first, CUSTOMER, THREAT)
	check(accepted(r), P .. first .. " " .. what .. ": accepted")
	check(added(conn1, "X-Escalation-Signals", "review-threat=1/2"),
		P .. first .. " " .. what .. ": review-threat=1/2")
	check(not added(conn1, "X-Escalation"), P .. first .. " " .. what ..
		": not escalated yet")
	check(not added(conn1, "X-Escalation-History"), P .. first .. " " ..
		what .. ": no X-Escalation-History")
	local q = P .. (first + 1)
	r = send(conn2, q, CUSTOMER, THREAT)
	check(accepted(r), q .. " " .. what .. ": accepted")
	check(added(conn2, "X-Escalation", "review-threat"),
		q .. " " .. what .. ": X-Escalation: review-threat")
	check(added(conn2, "X-Escalation-Signals", "review-threat=2/2"),
		q .. " " .. what .. ": review-threat=2/2")
	check(not added(conn2, "X-Escalation-History"), q .. " " .. what ..
		": no X-Escalation-History")
end

-- The scenario of this mode.
local function run()
	if mode == "redis" then
		-- two connections share the store
		local c1 = open()
		local c2 = open()
		thread(c1, c2, 1, "store up")
		mt.disconnect(c1)
		check(os.execute(ctl .. " stop"), "Redis stopped")
		degraded(c2, "R3", "Redis down")
		-- the case escalated at R2, yet a neutral message gets no follow-up
		local r = send(c2, "R4", CUSTOMER, NEUTRAL)
		check(accepted(r) and added(c2, "X-Escalation-History", "unavailable") and
			not added(c2, "X-Escalation"),
			"R4 Redis down, neutral: accepted, flagged, no follow-up")
		check(os.execute(ctl .. " start"), "Redis started again on its port")
		local waited = wait_history(c2, 40)
		check(waited ~= nil, "history back after " .. tostring(waited) ..
			" s (at most 40)")
		-- the restarted server is empty: the thread starts again
		thread(c2, open(), 5, "store back")
	elseif mode == "sqlite" then
		local c = open()
		degraded(c, "S1", "garbage store")
		degraded(c, "S2", "garbage store, 2nd threat")
		check(os.execute(ctl .. " fix " .. mode), "garbage store file removed")
		local waited = wait_history(c, 40)
		check(waited ~= nil, "history back after " .. tostring(waited) ..
			" s (at most 40; the retry is every 2 s)")
		thread(c, open(), 3, "new store")
	elseif mode == "tempfail" then
		local c = open()
		local r = send(c, "T1", CUSTOMER, THREAT)
		check(r == SMFIR_TEMPFAIL, "T1 garbage store, on_unavailable: tempfail: tempfailed")
		check(not added(c, "X-Escalation-History"), "T1: no header added")
		r = send(c, "T2", CUSTOMER, NEUTRAL)
		check(r == SMFIR_TEMPFAIL, "T2 neutral mail: tempfailed too")
	else
		error("mode must be redis, sqlite or tempfail")
	end
end

-- miltertest ends a script that fails without a word: say why.
local ok, err = pcall(run)
if not ok then
	fail = fail + 1
	mt.echo("not ok - " .. mode .. ": script stopped: " .. tostring(err))
end

mt.echo("# history.lua " .. mode .. ": " .. pass .. " ok, " .. fail .. " not ok")
if fail > 0 then
	error("history checks failed")
end
