#!/usr/bin/env python3
"""Generates the hostile inputs of benches/linear.sh, each at a given size.
Usage: gen_inputs.py KIND OUT SIZE
  long-line   OUT: one pasted line of SIZE bytes (words, some of them misspelt)
  typo-repeat OUT: one typed line repeating a misspelt word SIZE times
  nested-yaml OUT: a YAML file nesting SIZE flow levels deep
  long-body   OUT: a folder with one scenario whose What Happened holds SIZE bytes
  dump-logs   OUT: a dump folder with SIZE bytes of container logs over 50 pods"""
import os, random, sys

kind, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(3)
words = ["pod", "terminting", "kubelet", "presure", "evicted", "containr", "node", "failed", "mount",
         "volume", "timeout", "api", "server", "restarting", "back-off", "error", "netwrk", "dns"]

def text(n):
    parts, total = [], 0
    while total < n:
        w = rng.choice(words) + (str(rng.randrange(1000)) if rng.random() < 0.2 else "")
        parts.append(w)
        total += len(w) + 1
    return " ".join(parts)[:n]

if kind == "long-line":
    open(out, "w").write("E1124 10:00:01.123456     812 kubelet.go:2412] " + text(size) + "\n")
elif kind == "typo-repeat":
    open(out, "w").write("terminting " * size)
elif kind == "nested-yaml":
    open(out, "w").write("symptoms: " + "[" * size + "]" * size + "\n")
elif kind == "long-body":
    os.makedirs(out, exist_ok=True)
    body = "\n".join("- " + text(200) for _ in range(max(1, size // 200)))
    open(os.path.join(out, "long.md"), "w").write(
        "### Scenario #9001: Long body\n**Category:** Nodes\n**Environment:** any\n**Summary:** long\n"
        f"**What Happened:**\n{body}\n**Diagnosis Steps:**\n- look\n**Root Cause:** size\n"
        "**Fix / Workaround:**\n```bash\nkubectl get pods\n```\n")
elif kind == "dump-logs":
    per = max(1, size // 50)
    for p in range(50):
        d = os.path.join(out, "shop", f"api-7c9f8d6b5d-{p:05d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "logs.txt"), "w") as fh:
            written = 0
            while written < per:
                line = f"2024-05-01T10:00:{written % 60:02d}.123Z ERROR failed to connect {text(80)}\n"
                fh.write(line)
                written += len(line)
else:
    sys.exit("unknown kind " + kind)
