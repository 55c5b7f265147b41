-- route.lua - routing through the milter protocol: the actions the
-- config needs are negotiated, and reroute, copy and hold show up as
-- recipient changes and quarantine.  Run by run.sh with a routing config.

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
	mt.conninfo(conn, "client.example", "192.0.2.1")
	return conn
end

local function send(conn, qid, from, rcpts, body)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	mt.mailfrom(conn, from)
	for _, r in ipairs(rcpts) do
		mt.rcptto(conn, r)
	end
	mt.header(conn, "From", from)
	mt.header(conn, "Subject", "order")
	mt.eoh(conn)
	mt.bodystring(conn, body)
	mt.eom(conn)
	local r = mt.getreply(conn)
	check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, qid .. ": accepted")
end

local conn = open()
check(mt.test_action(conn, SMFIF_ADDRCPT), "negotiated: add recipients")
check(mt.test_action(conn, SMFIF_DELRCPT), "negotiated: delete recipients")
check(mt.test_action(conn, SMFIF_QUARANTINE), "negotiated: quarantine")

send(conn, "R1", "<c@example.com>", { "<support@shop.example>", "<orders@shop.example>" },
	"I will dispute the charge with my bank.\r\n")
check(mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>"), "R1 reroute: domestic added")
check(mt.eom_check(conn, MT_RCPTDELETE, "<support@shop.example>"), "R1 reroute: support@ removed")
check(mt.eom_check(conn, MT_RCPTDELETE, "<orders@shop.example>"), "R1 reroute: orders@ removed")
check(mt.eom_check(conn, MT_HDRADD, "X-Escalation-Original-Rcpt"), "R1: original recipients recorded")
check(not mt.eom_check(conn, MT_QUARANTINE), "R1: not held")

send(conn, "R2", "<c@example.com>", { "<support@shop.example>" },
	"You useless idiots, this is a scam.\r\n")
check(mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>"), "R2 copy: domestic added")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<support@shop.example>"), "R2 copy: originals kept")

send(conn, "R3", "<c@example.com>", { "<support@shop.example>" },
	"My lawyer will take you to small claims court.\r\n")
check(mt.eom_check(conn, MT_QUARANTINE), "R3 hold: quarantined")
check(not mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>"), "R3 hold: no recipient added")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<support@shop.example>"), "R3 hold: no recipient removed")

send(conn, "R4", "<lead@domestic.example>", { "<support@shop.example>" },
	"I will dispute the charge with my bank.\r\n")
check(not mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>"), "R4 trusted sender: not rerouted")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<support@shop.example>"), "R4 trusted sender: originals kept")

send(conn, "R5", "<c@example.com>", { "<support@shop.example>" },
	"Where is my parcel? Thanks.\r\n")
check(not mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>") and
	not mt.eom_check(conn, MT_RCPTDELETE, "<support@shop.example>"),
	"R5 no escalation: recipients untouched")

send(conn, "R6", "<c@example.com>", { "<shopify-esc@domestic.example>" },
	"I will dispute the charge with my bank.\r\n")
check(not mt.eom_check(conn, MT_RCPTADD, "<shopify-esc@domestic.example>") and
	not mt.eom_check(conn, MT_RCPTDELETE, "<shopify-esc@domestic.example>"),
	"R6 already at the domestic queue: no loop")
mt.disconnect(conn)

mt.echo("protocol-route: " .. pass .. " passed, " .. fail .. " failed")
if fail > 0 then
	error("route checks failed")
end
