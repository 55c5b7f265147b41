#!/usr/bin/env python3
"""mailcheck.py - look at delivered messages byte for byte, for the e2e tests.

Usage:
  mailcheck.py strip-trace FILE
      print FILE without the trace fields Postfix put on top (Received,
      Return-Path, Delivered-To, X-Original-To, before the first other field)
  mailcheck.py header FILE NAME
      print each NAME field's value, unfolded, one per line (raw bytes)
  mailcheck.py count FILE NAME
      print how many NAME fields FILE has (NAME ending in * is a prefix)
  mailcheck.py subject FILE
      print the Subject decoded from RFC 2047 (UTF-8)
  mailcheck.py valid-2047 FILE
      exit 0 if the Subject field is ASCII only, every encoded-word in it is
      well formed and decodes, and no line is longer than 998 octets
  mailcheck.py same FILE ORIGINAL
      exit 0 if FILE, without trace fields, equals ORIGINAL (line ends
      normalised to LF); else print the first difference
  mailcheck.py untagged FILE ORIGINAL
      as "same", after removing X-Escalation* fields from both (the
      original's are forged ones the milter must remove) and putting
      ORIGINAL's Subject field back in place of FILE's
  mailcheck.py body-same FILE ORIGINAL
      exit 0 if the bodies (after the first empty line) are equal
"""

import re
import sys
from email.header import decode_header, make_header

TRACE = {b"received", b"return-path", b"delivered-to", b"x-original-to"}
ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.replace(b"\r\n", b"\n")


def split(msg):
    """Returns ([(name_lower, raw_field_bytes)], body_with_separator)."""
    pos = msg.find(b"\n\n")
    if pos < 0:
        head, body = msg, b""
    else:
        head, body = msg[: pos + 1], msg[pos + 1 :]
    fields = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            name, raw = fields[-1]
            fields[-1] = (name, raw + line)
        else:
            name = line.split(b":", 1)[0].strip().lower()
            fields.append((name, line))
    return fields, body


def join(fields, body):
    return b"".join(raw for _, raw in fields) + body


def strip_trace(msg):
    fields, body = split(msg)
    i = 0
    while i < len(fields) and fields[i][0] in TRACE:
        i += 1
    return join(fields[i:], body)


def value(raw):
    v = raw.split(b":", 1)[1] if b":" in raw else b""
    v = re.sub(rb"\r?\n[ \t]", b" ", v)
    return v.strip()


def headers(msg, name):
    fields, _ = split(msg)
    name = name.lower().encode()
    if name.endswith(b"*"):
        return [value(r) for n, r in fields if n.startswith(name[:-1])]
    return [value(r) for n, r in fields if n == name]


def first_diff(a, b):
    al, bl = a.split(b"\n"), b.split(b"\n")
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else b"<end>"
        y = bl[i] if i < len(bl) else b"<end>"
        if x != y:
            return "line %d:\n  delivered: %r\n  sent:      %r" % (i + 1, x[:200], y[:200])
    return "no line differs (length %d vs %d)" % (len(a), len(b))


def same(a, b):
    if a == b:
        return 0
    print(first_diff(a, b))
    return 1


def decode_subject(msg):
    vals = headers(msg, "subject")
    if not vals:
        return None
    return str(make_header(decode_header(vals[0].decode("ascii", "replace"))))


def valid_2047(msg):
    fields, _ = split(msg)
    raws = [r for n, r in fields if n == b"subject"]
    if len(raws) != 1:
        print("%d Subject fields" % len(raws))
        return 1
    raw = raws[0]
    try:
        raw.decode("ascii")
    except UnicodeDecodeError:
        print("Subject has non-ASCII octets: %r" % raw)
        return 1
    for line in raw.split(b"\n"):
        if len(line) > 998:
            print("Subject line of %d octets" % len(line))
            return 1
    v = value(raw)
    for m in ENCODED_WORD.finditer(v):
        if len(m.group(0)) > 75:
            print("encoded-word longer than 75: %r" % m.group(0))
            return 1
        try:
            decode_header(m.group(0).decode())
            enc = m.group(2).upper()
            text = m.group(3)
            if enc == b"B":
                import base64
                base64.b64decode(text, validate=True).decode(m.group(1).decode().split("*")[0])
        except Exception as e:  # noqa: BLE001 - any failure means invalid
            print("bad encoded-word %r: %s" % (m.group(0), e))
            return 1
    leftover = ENCODED_WORD.sub(b"", v)
    if b"=?" in leftover:
        print("malformed encoded-word in %r" % v)
        return 1
    return 0


def untagged(delivered, original):
    fields, body = split(strip_trace(delivered))
    ofields, obody = split(original)
    osubj = [r for n, r in ofields if n == b"subject"]
    original = join([(n, r) for n, r in ofields
                     if not n.startswith(b"x-escalation")], obody)
    out = []
    for n, r in fields:
        if n.startswith(b"x-escalation"):
            continue
        if n == b"subject" and osubj:
            r = osubj[0]
        out.append((n, r))
    return same(join(out, body), original)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, path = argv[1], argv[2]
    msg = read(path)
    out = sys.stdout.buffer
    if cmd == "strip-trace":
        out.write(strip_trace(msg))
        return 0
    if cmd == "header":
        for v in headers(msg, argv[3]):
            out.write(v + b"\n")
        return 0
    if cmd == "count":
        print(len(headers(msg, argv[3])))
        return 0
    if cmd == "subject":
        s = decode_subject(msg)
        if s is None:
            return 1
        out.write(s.encode("utf-8") + b"\n")
        return 0
    if cmd == "valid-2047":
        return valid_2047(msg)
    if cmd == "same":
        return same(strip_trace(msg), read(argv[3]))
    if cmd == "untagged":
        return untagged(msg, read(argv[3]))
    if cmd == "body-same":
        return same(split(msg)[1], split(read(argv[3]))[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
