#!/usr/bin/env python3
"""Checks that the real kubectl client accepts every kubectl command in the catalog.

Each command (a whole code-block entry, continuation lines included, or an inline `kubectl ...`
code span in a step) runs against a dead API server: kubectl parses flags and arguments before it
connects, so "connection refused" means the command line passed, while "unknown flag", "unknown
command" or an argument error means it did not. Placeholders such as `<pod>` are filled with a
word, `-f` files with a small manifest.

    python3 benches/check-kubectl.py                 # the built-in catalog
    python3 benches/check-kubectl.py --scenarios DIR # also a user catalog (k8sdoc's own flag)
    K8SDOC=path/to/k8sdoc python3 benches/check-kubectl.py

Exit 0 when every command passed, 1 when one did not, 2 when it could not run.
"""

import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# A token keeps kubectl from prompting for a user name when no kubeconfig exists.
DEAD = ["--server=https://127.0.0.1:1", "--request-timeout=2s", "--insecure-skip-tls-verify", "--token=dead"]
# What kubectl prints once the command line is accepted and it tries the server.
CONNECTING = re.compile(
    r"connection refused|connection to the server [^ ]+ was refused|unable to connect|dial tcp|couldn't get current server api group list|"
    r"context deadline exceeded|i/o timeout|the server could not find|no such host|"
    r"error dialing backend|unable to recognize|failed to download openapi|"
    r"error validating data: failed to download|"
    # `kubectl config` commands need a kubeconfig; with none, they stop on the missing context.
    r"current-context is not set|current-context must exist",
    re.I,
)
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\ndata: {}\n"


def k8sdoc():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("K8SDOC") or os.path.join(here, "..", "target", "release", "k8sdoc")


def catalog(extra):
    cmd = [k8sdoc(), "--no-pager", "--color", "never"] + extra + ["list", "--format", "json"]
    ids = [row["id"] for row in json.loads(subprocess.run(cmd, capture_output=True, check=True).stdout)]
    out = []
    for chunk in range(0, len(ids), 200):
        cmd = [k8sdoc(), "--no-pager", "--color", "never"] + extra + ["show", "--format", "json"]
        cmd += [str(i) for i in ids[chunk : chunk + 200]]
        out += json.loads(subprocess.run(cmd, capture_output=True, check=True).stdout)
    return out


def commands(scenario):
    """(where, command) pairs: whole code-block commands and inline kubectl spans in steps."""
    found = []
    for section, cmds in scenario["commands"].items():
        for c in cmds:
            found.append((section, c))
    for section in ("diagnosis_steps", "fix", "what_you_see"):
        for text in scenario.get(section) or []:
            for span in re.findall(r"`([^`]+)`", text):
                if span.startswith("kubectl "):
                    found.append((section, span))
    seen, unique = set(), []
    for where, c in found:
        if c not in seen:
            seen.add(c)
            unique.append((where, c))
    return [(w, c) for w, c in unique if re.match(r"\s*kubectl\s", c)]


def argv_of(command):
    """The kubectl arguments of a shell command line: up to the first pipe, `&&`, `;` or
    redirection, with placeholders filled."""
    text = command.replace("\\\n", " ")
    text = re.sub(r"<([^<>\n]*)>", lambda m: "default" if "namespace" in m.group(1) else "x", text)
    text = re.sub(r"\$\(\s*[^()]*\)", "x", text)
    text = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", "x", text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = []
    for word in lexer:
        if word and set(word) <= set("|&;<>"):
            break
        words.append(word)
    return words[1:]


def run(command, workdir):
    try:
        argv = argv_of(command)
    except ValueError as err:
        return False, f"cannot split: {err}"
    if argv and argv[0] == "proxy":
        return True, "not run (kubectl proxy serves until stopped)"
    uses_stdin = any(a in ("-f", "--filename") and b == "-" for a, b in zip(argv, argv[1:] + [""]))
    try:
        p = subprocess.run(
            ["kubectl"] + DEAD + argv,
            input=MANIFEST if uses_stdin else "",
            capture_output=True,
            text=True,
            timeout=20,
            cwd=workdir,
            env={**os.environ, "KUBECONFIG": os.path.join(workdir, "no-kubeconfig")},
        )
    except subprocess.TimeoutExpired:
        return False, "timed out"
    err = p.stderr.strip()
    if p.returncode == 0 or CONNECTING.search(err):
        return True, ""
    if re.search(r"the path \"[^\"]*\" does not exist|no such file or directory", err, re.I):
        return True, "a file named in the command is absent here"
    return False, (err.splitlines() or ["exit %d, no message" % p.returncode])[0]


def main():
    extra = sys.argv[1:]
    try:
        scenarios = catalog(extra)
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"check-kubectl: cannot read the catalog with {k8sdoc()}: {err}", file=sys.stderr)
        return 2
    jobs = [(s["id"], w, c) for s in scenarios for w, c in commands(s)]
    with tempfile.TemporaryDirectory() as workdir:
        for name in ("x", "manifest.yaml"):
            with open(os.path.join(workdir, name), "w") as f:
                f.write(MANIFEST)
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda j: run(j[2], workdir), jobs))
    failed = [(j, r) for j, r in zip(jobs, results) if not r[0]]
    for (sid, where, c), (_, why) in failed:
        print(f"#{sid} {where}: {c!r}\n    kubectl: {why}")
    multi = sum(1 for j in jobs if "\n" in j[2])
    print(
        f"{len(jobs)} kubectl commands in {len(scenarios)} scenarios ({multi} over several lines): "
        f"{len(jobs) - len(failed)} accepted, {len(failed)} rejected"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
