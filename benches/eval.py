#!/usr/bin/env python3
"""Ranking quality of `k8sdoc diagnose`: top-1, top-3 and MRR per query set and catalog, with
the symptom rules and without them (`--text-only`, plain BM25F over the same catalog).

Catalogs: the built-in one; the built-in text as a user catalog nobody wrote rules for (Covers
lines removed, scenarios renumbered so curated rule links cannot apply); the same in the
plain-text variant of the format. Sets: tests/data/dev-queries.yaml, coverage-queries.yaml
(signal and message), pastes/, and real-world.yaml (title regexes), plus any `--set FILE` of
the real-world kind.

    python3 benches/eval.py [--set extra.yaml ...] [--misses]
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.environ.get("K8SDOC") or os.path.join(ROOT, "target", "release", "k8sdoc")
OFFSET = 50000
COVERS = {}


def run(args, stdin=None):
    p = subprocess.run([BIN, "--no-pager", "--color", "never"] + args, input=stdin, capture_output=True)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{args}: {p.stderr.decode(errors='replace')}")
    return p.stdout


def catalog_info(extra):
    rows = json.loads(run(extra + ["list", "--format", "json"]))
    ids = [r["id"] for r in rows]
    shown = []
    for i in range(0, len(ids), 300):
        shown += json.loads(run(extra + ["show", "--format", "json"] + [str(x) for x in ids[i : i + 300]]))
    return {s["id"]: s for s in shown}


def strip_and_renumber(md):
    md = re.sub(r"(?m)^\*\*Covers:\*\*.*\n\n?", "", md)
    return re.sub(r"(Scenario #)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + OFFSET), md)


def to_plain(md):
    """The markdown format as the plain-text variant writes it."""
    out = []
    in_code = False
    for line in md.splitlines():
        if line.startswith("```"):
            if not in_code:
                out += ["bash", "CopyEdit"]
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        m = re.match(r"#+\s*(?:🔹\s*)?(Scenario #\d+:.*)", line)
        if m:
            out.append("📘 " + m.group(1))
            continue
        if line.startswith("# ") or line.strip() == "---":
            continue
        line = re.sub(r"^\*\*([^*]+):\*\*\s*", r"\1: ", line)
        line = re.sub(r"^- ", "\t• ", line)
        out.append(line)
    return "\n".join(out) + "\n"


def make_catalogs(tmp):
    md = ""
    for name in sorted(os.listdir(os.path.join(ROOT, "scenarios"))):
        if name.endswith(".md"):
            md += open(os.path.join(ROOT, "scenarios", name), encoding="utf-8").read() + "\n"
    stripped = strip_and_renumber(md)
    os.makedirs(os.path.join(tmp, "md"))
    os.makedirs(os.path.join(tmp, "plain"))
    open(os.path.join(tmp, "md", "all.md"), "w", encoding="utf-8").write(stripped)
    open(os.path.join(tmp, "plain", "all.txt"), "w", encoding="utf-8").write(to_plain(stripped))
    return {
        "built-in": ([], 0),
        "no-rules md": (["--no-builtin", "--scenarios", os.path.join(tmp, "md")], OFFSET),
        "no-rules plain": (["--no-builtin", "--scenarios", os.path.join(tmp, "plain")], OFFSET),
    }


def load_sets(extra_sets, names=None):
    data = os.path.join(ROOT, "tests", "data")
    sets = {}
    dev = yaml.safe_load(open(os.path.join(data, "dev-queries.yaml")))
    sets["dev"] = [("symptom", c["q"], ("ids", c["expect"])) for c in dev if c.get("expect")]
    cov = yaml.safe_load(open(os.path.join(data, "coverage-queries.yaml")))
    sets["coverage"] = [("symptom", c[k], ("keys", [c["key"]])) for c in cov for k in ("signal", "message")]
    pastes = yaml.safe_load(open(os.path.join(data, "pastes", "expect.yaml")))
    sets["pastes"] = [
        ("from", open(os.path.join(data, "pastes", f), "rb").read(), ("keys", keys)) for f, keys in pastes.items()
    ]
    for path in [os.path.join(data, "real-world.yaml")] + extra_sets:
        if os.path.exists(path):
            name = os.path.splitext(os.path.basename(path))[0]
            cases = yaml.safe_load(open(path, encoding="utf-8"))
            sets[name] = [
                ("from" if c["kind"] == "paste" else "symptom", c["text"], ("title", c["expect"])) for c in cases
            ]
    return sets


def ranks(extra, offset, info, cases, text_only):
    covers = COVERS

    def one(case):
        kind, query, (how, want) = case
        args = extra + ["diagnose", "--format", "json", "--limit", "10"] + (["--text-only"] if text_only else [])
        if kind == "from":
            out = run(args + ["--from", "-"], stdin=query if isinstance(query, bytes) else query.encode())
        else:
            out = run(args + ["--symptom", query])
        results = json.loads(out)["results"] if out.strip() else []
        for rank, r in enumerate(results, 1):
            sid = r["id"] - offset
            if how == "ids" and sid in want:
                return rank
            if how == "keys" and covers.get(sid, set()) & set(want):
                return rank
            if how == "title" and re.search(want, r["title"], re.I):
                return rank
        return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, cases))


def summary(rs):
    n = len(rs)
    top1 = sum(1 for r in rs if r == 1)
    top3 = sum(1 for r in rs if r and r <= 3)
    mrr = sum(1.0 / r for r in rs if r) / n
    return f"{top1 * 100 / n:5.1f} {top3 * 100 / n:5.1f} {mrr:.3f}"


def main():
    args = sys.argv[1:]
    extra_sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    show_misses = "--misses" in args
    only = [args[i + 1] for i, a in enumerate(args) if a == "--only"]
    sets = load_sets(extra_sets)
    # Coverage keys by scenario number, from the built-in catalog (the others have none).
    COVERS.update({sid: set(s.get("covers") or []) for sid, s in catalog_info([]).items()})
    # The seeds carry no Covers line (they are the user's document verbatim): a built-in rule
    # that names one curates it for the rule's keys, as tests/integration/util.rs reads it.
    for name in os.listdir(os.path.join(ROOT, "scenarios")):
        if name.endswith(".yaml"):
            doc = yaml.safe_load(open(os.path.join(ROOT, "scenarios", name), encoding="utf-8")) or {}
            for rule in doc.get("symptoms") or []:
                for sid in rule.get("scenarios") or []:
                    if sid <= 22:
                        COVERS.setdefault(sid, set()).update(rule.get("covers") or [])
    with tempfile.TemporaryDirectory() as tmp:
        catalogs = make_catalogs(tmp)
        print(f"{'catalog':16} {'set':12} {'n':>4}   rules: top1  top3   MRR   text-only: top1  top3   MRR")
        for cname, (extra, offset) in catalogs.items():
            if only and cname not in only:
                continue
            info = catalog_info(extra)
            for sname, cases in sets.items():
                with_rules = ranks(extra, offset, info, cases, False)
                text = ranks(extra, offset, info, cases, True)
                print(f"{cname:16} {sname:12} {len(cases):4}   {summary(with_rules)}   {summary(text)}")
                if show_misses:
                    for case, r, t in zip(cases, with_rules, text):
                        if (r or 99) > (t or 99) or not r or r > 3:
                            q = case[1] if isinstance(case[1], str) else case[1].decode(errors="replace")
                            print(f"    miss (rules {r}, text {t}): {q[:100]!r} want {case[2][1]}")


if __name__ == "__main__":
    main()
