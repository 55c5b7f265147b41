#!/usr/bin/env python3
"""
eval.py - measures detection against labelled corpora.

    python3 scripts/eval.py [-v] [--check] [-c CONF] [--bin BIN] [DIR...]

A corpus is a directory with labels.tsv (one row per message: file, abuse,
legal, manager, chargeback, chargeback_state, review, phone, phone_only,
trap, source, notes; counts of distinct expressions in the writer's own new
text) and optionally threads/threads.tsv (thread, position, file relative to
the corpus directory, the same label columns, and running totals cum_abuse,
cum_review, cum_phone).  Without DIR: ../shared/corpus/dev when present,
then every tests/corpus/*/ that has a labels.tsv.

Each single message is run through `escalation-milter -t` with no history
store; each thread is run in order through a fresh in-memory store, so the
decisions come from the real history code.  Printed per category: true and
false positives and negatives (a category is "found" in a message when it
has at least one expression there), precision and recall; the escalation
decisions (the set of fired categories against the set the labels and
thresholds call for); false escalations of hard negatives and traps; the
thread decisions.  -v lists every miss and false alarm with its evidence.
--check exits 1 unless every category with labelled examples meets the
targets (precision >= 0.95, recall >= 0.90), chargeback states are right,
no hard negative or trap escalates and every thread decision is right.
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# label column -> category id
CATS = [("abuse", "abuse"), ("legal", "legal"), ("manager", "manager-demand"),
        ("chargeback", "chargeback"), ("review", "review-threat"),
        ("phone", "phone-demand")]
PRECISION_MIN = 0.95
RECALL_MIN = 0.90


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t",
                                   quoting=csv.QUOTE_NONE))


def num(row, col):
    v = (row.get(col) or "").strip()
    return int(v) if v else 0


def thresholds(binary, conf):
    """Category thresholds as the rule set reports them (-n)."""
    out = subprocess.run([binary, "-n", "-S", "none", "-c", conf],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("eval: %s -n failed:\n%s%s" % (binary, out.stdout,
                                                 out.stderr))
    th = {}
    for line in out.stdout.splitlines():
        m = re.match(r"\s+([a-z][a-z0-9-]*): threshold (\d+)", line)
        if m:
            th[m.group(1)] = int(m.group(2))
    return th


def run(binary, conf, store, files):
    """Runs -t over files in order; {path: report}."""
    if not files:
        return {}
    out = subprocess.run([binary, "-c", conf, "-S", store, "-t"] + files,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("eval: %s -t failed (%d):\n%s" % (binary, out.returncode,
                                                    out.stderr))
    reports = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        reports[r["file"]] = r
    missing = [f for f in files if f not in reports]
    if missing:
        sys.exit("eval: no report for %s" % missing[0])
    return reports


class Case:
    """One labelled message and what the filter made of it."""

    def __init__(self, corpus, name, row, path, thread=None):
        self.corpus, self.name, self.row = corpus, name, row
        self.path, self.thread = path, thread
        self.labels = {cat: num(row, col) for col, cat in CATS}
        self.state = (row.get("chargeback_state") or "").strip()
        self.phone_only = num(row, "phone_only") > 0
        self.trap = (row.get("trap") or "").strip() == "yes"
        self.hard = "[hard negative]" in (row.get("notes") or "")
        self.notes = (row.get("notes") or "").strip()
        self.report = None
        self.cum = {}

    def found(self, cat):
        s = self.report["signals"].get(cat)
        return s is not None and s["message_count"] > 0

    def evidence(self, cat):
        s = self.report["signals"].get(cat)
        if s is None:
            return []
        return ["%s \"%s\" @%d" % (e["rule"], e["text"], e.get("offset", -1))
                for e in s["evidence"]]

    def expected(self, th):
        """Categories the labels say should fire here."""
        want = set()
        for col, cat in CATS:
            n = self.labels[cat]
            total = self.cum.get(cat, n)
            if n > 0 and total >= th.get(cat, 1):
                want.add(cat)
        if self.phone_only:
            want.add("phone-demand")
        return want

    def fired(self):
        return {c for c, s in self.report["signals"].items() if s["fired"]}


def load_corpus(d):
    """The cases of one corpus directory, singles then threads."""
    name = os.path.basename(os.path.normpath(d)) or d
    singles, threads = [], []
    labels = os.path.join(d, "labels.tsv")
    if os.path.exists(labels):
        for row in read_tsv(labels):
            singles.append(Case(name, row["file"], row,
                                os.path.join(d, row["file"])))
    tt = os.path.join(d, "threads", "threads.tsv")
    if os.path.exists(tt):
        by = {}
        for row in read_tsv(tt):
            by.setdefault(row["thread"], []).append(row)
        for tid in sorted(by):
            rows = sorted(by[tid], key=lambda r: int(r["position"]))
            cases, running = [], {}
            for row in rows:
                c = Case(name, row["file"], row,
                         os.path.join(d, row["file"]), tid)
                for cat in c.labels:
                    running[cat] = running.get(cat, 0) + c.labels[cat]
                c.cum = dict(running)
                for col, cat in (("cum_abuse", "abuse"),
                                 ("cum_review", "review-threat"),
                                 ("cum_phone", "phone-demand")):
                    if (row.get(col) or "").strip():
                        c.cum[cat] = num(row, col)
                cases.append(c)
            threads.append(cases)
    if not singles and not threads:
        sys.exit("eval: %s: no labels.tsv or threads/threads.tsv" % d)
    return singles, threads


def ratio(a, b):
    return a / b if b else float("nan")


def fmt(x):
    return "  -  " if x != x else "%.3f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1].strip())
    ap.add_argument("dirs", nargs="*", metavar="DIR")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list every miss and false alarm")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless the targets are met")
    ap.add_argument("-c", "--conf",
                    default=os.path.join(TOP, "conf", "escalation-milter.yaml"))
    ap.add_argument("--bin",
                    default=os.path.join(TOP, "milter", "escalation-milter"))
    a = ap.parse_args()

    dirs = a.dirs
    if not dirs:
        dev = os.path.join(os.path.dirname(TOP), "shared", "corpus", "dev")
        if os.path.isdir(dev):
            dirs.append(dev)
        base = os.path.join(TOP, "tests", "corpus")
        if os.path.isdir(base):
            for sub in sorted(os.listdir(base)):
                if os.path.exists(os.path.join(base, sub, "labels.tsv")):
                    dirs.append(os.path.join(base, sub))
    if not dirs:
        sys.exit("eval: no corpus found")

    if "ESCALATION_MILTER_RULES_CACHE" not in os.environ:
        # compile the rules once, not once per run of the filter
        cache = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                             "escalation-milter-rules-%d" % os.getuid())
        os.makedirs(cache, mode=0o700, exist_ok=True)
        os.chmod(cache, 0o700)
        os.environ["ESCALATION_MILTER_RULES_CACHE"] = cache
    th = thresholds(a.bin, a.conf)
    cases = []
    nthreads = 0
    for d in dirs:
        singles, threads = load_corpus(d)
        reports = run(a.bin, a.conf, "none", [c.path for c in singles])
        for c in singles:
            c.report = reports[c.path]
        for t in threads:
            reports = run(a.bin, a.conf, "memory:", [c.path for c in t])
            for c in t:
                c.report = reports[c.path]
        cases += singles + [c for t in threads for c in t]
        nthreads += len(threads)

    ok = True
    out = []
    out.append("corpus: %s" % ", ".join(dirs))
    out.append("messages: %d (%d in %d threads)" % (
        len(cases), sum(1 for c in cases if c.thread), nthreads))
    out.append("")
    out.append("%-16s %4s %4s %4s %4s  %-9s %-6s" % (
        "category", "TP", "FP", "FN", "TN", "precision", "recall"))
    misses = []
    for col, cat in CATS:
        tp = fp = fn = tn = 0
        for c in cases:
            got, want = c.found(cat), c.labels[cat] > 0
            if got and want:
                tp += 1
            elif got:
                fp += 1
                misses.append((c, cat, "false alarm"))
            elif want:
                fn += 1
                misses.append((c, cat, "miss"))
            else:
                tn += 1
        p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
        flag = ""
        if tp + fn > 0 and (not p >= PRECISION_MIN or not r >= RECALL_MIN):
            flag = "  below target"
            ok = False
        elif tp + fn == 0 and fp > 0:
            flag = "  false alarms"
            ok = False
        out.append("%-16s %4d %4d %4d %4d  %-9s %-6s%s" % (
            cat, tp, fp, fn, tn, fmt(p), fmt(r), flag))

    # chargeback state
    st_ok = st_all = 0
    for c in cases:
        if c.labels["chargeback"] > 0 and c.found("chargeback"):
            st_all += 1
            got = c.report["signals"]["chargeback"]["state"] or ""
            if got == c.state:
                st_ok += 1
            else:
                misses.append((c, "chargeback", "state %s, labelled %s" % (
                    got or "none", c.state or "none")))
    if st_all:
        out.append("chargeback state right: %d of %d" % (st_ok, st_all))
        if st_ok != st_all:
            ok = False

    # decisions
    labelled = {cat for _, cat in CATS}
    right = wrong = 0
    bad_decisions = []
    for c in cases:
        want = c.expected(th)
        got = c.fired() & labelled
        if got == want:
            right += 1
        else:
            wrong += 1
            bad_decisions.append((c, want, got))
    out.append("")
    out.append("decisions (fired categories = labels and thresholds): "
               "%d right, %d wrong" % (right, wrong))
    other = [(c, sorted(c.fired() - labelled)) for c in cases
             if c.fired() - labelled]
    if other:
        out.append("unlabelled categories fired: %d (%s)" % (
            len(other), ", ".join(sorted({x for _, l in other for x in l}))))
    hard = [c for c in cases if c.hard]
    traps = [c for c in cases if c.trap]
    hard_esc = [c for c in hard if c.report["escalate"]]
    trap_esc = [c for c in traps if c.report["escalate"]]
    out.append("hard negatives escalated: %d of %d" % (len(hard_esc),
                                                       len(hard)))
    out.append("traps escalated: %d of %d" % (len(trap_esc), len(traps)))
    if hard_esc or trap_esc:
        ok = False
    tcases = [c for c in cases if c.thread]
    if tcases:
        tw = sum(1 for c, _, _ in bad_decisions if c.thread)
        out.append("thread decisions: %d right, %d wrong (%d threads)" % (
            len(tcases) - tw, tw, nthreads))
        if tw:
            ok = False
    out.append("")
    out.append("targets (precision >= %.2f, recall >= %.2f, thread "
               "decisions right, no false escalation): %s" % (
                   PRECISION_MIN, RECALL_MIN, "met" if ok else "NOT met"))

    if a.verbose:
        out.append("")
        out.append("== misses and false alarms ==")
        for c, cat, what in sorted(misses, key=lambda m: (m[0].corpus,
                                                          m[0].name, m[1])):
            out.append("%s/%s %s: %s (labelled %d)" % (
                c.corpus, c.name, cat, what, c.labels[cat]))
            for e in c.evidence(cat):
                out.append("    evidence: %s" % e)
            if c.notes:
                out.append("    notes: %s" % c.notes)
        out.append("")
        out.append("== wrong decisions ==")
        for c, want, got in bad_decisions:
            out.append("%s/%s%s: fired {%s}, expected {%s}" % (
                c.corpus, c.name, " (thread %s)" % c.thread if c.thread
                else "", ", ".join(sorted(got)), ", ".join(sorted(want))))
            for cat in sorted(want ^ got):
                s = c.report["signals"].get(cat)
                if s:
                    out.append("    %s: %d here + %d before, threshold %d;"
                               " %s" % (cat, s["message_count"],
                                        s["history_count"], s["threshold"],
                                        "; ".join(c.evidence(cat))))
                out.append("    %s labelled %d%s" % (
                    cat, c.labels[cat], " (running total %d)" %
                    c.cum[cat] if cat in c.cum else ""))
            if c.notes:
                out.append("    notes: %s" % c.notes)
        for c in hard_esc + trap_esc:
            out.append("%s/%s: %s escalated: %s" % (
                c.corpus, c.name, "trap" if c.trap else "hard negative",
                ", ".join(c.report["categories"])))
        for c, l in other:
            out.append("%s/%s: unlabelled category fired: %s" % (
                c.corpus, c.name, ", ".join(
                    "%s (%s)" % (x, "; ".join(c.evidence(x))) for x in l)))

    print("\n".join(out))
    return 0 if ok or not a.check else 1


if __name__ == "__main__":
    sys.exit(main())
