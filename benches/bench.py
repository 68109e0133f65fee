#!/usr/bin/env python3
"""Whole-process benchmarks of k8sdoc as a user runs it, each against its yardstick, measured
interleaved (round after round, every command once per round) so that a busy machine slows all
of them alike; the ratios are what to compare. Figures only: nothing here passes or fails.

Usage: bench.py BIN WORK [--sizes 10000,100000] [--rounds N] [--skip cold,search,paste,analyze]
                [--before OLD_BIN]   # also an older build, in the same rounds, for before/after

Yardsticks: `k8sdoc --version` (the process-start floor), `grep` over the same files (writing to
a file: GNU grep stops at its first match when its output is /dev/null), `jq length` for dumps,
and parsing the catalog (a `search` that matches nothing parses every file) for the cold build.
Peak memory is each command's maximum resident set as GNU time reports it, in MB.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QUERY = "pods stuck terminating"


def run(cmd, out=subprocess.DEVNULL, stdin=None, env=None, before=lambda: None):
    """Wall seconds and peak RSS (MB) of one run. The wall time is of the command started
    directly; the peak is read by GNU time in a second run, since a child forked from Python
    counts Python's own pages until it execs."""
    before()
    start = time.perf_counter()
    subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=stdin, env=env)
    wall = time.perf_counter() - start
    if out is not subprocess.DEVNULL:
        out.seek(0)
        out.truncate()
    report = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"k8sdoc-bench-time.{os.getpid()}")
    before()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report, *cmd], stdout=out, stderr=subprocess.DEVNULL,
                   stdin=stdin, env=env)
    with open(report) as fh:
        peak = int(fh.read().split()[-1]) / 1024
    os.remove(report)
    return wall, peak


def interleaved(commands, rounds):
    """{name: (median seconds, max peak MB)} for commands run round after round."""
    times = {name: [] for name, _ in commands}
    peaks = {name: 0.0 for name, _ in commands}
    for _ in range(rounds):
        for name, go in commands:
            wall, peak = go()
            times[name].append(wall)
            peaks[name] = max(peaks[name], peak)
    return {name: (statistics.median(times[name]), peaks[name]) for name in times}


def to_file(path):
    return open(path, "w+")


def ms(s):
    return f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("work")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--skip", default="")
    ap.add_argument("--before", help="an older k8sdoc binary to run in the same rounds")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    k8sdoc = os.path.abspath(args.bin)
    work = args.work
    env = dict(os.environ, K8SDOC_CACHE_DIR=os.path.join(work, "cache"), K8SDOC_CONFIG_DIR=os.path.join(work, "config"))
    scratch = os.path.join(work, "grep.out")
    repo = os.path.dirname(HERE)

    catalogs = [("built-in", os.path.join(repo, "scenarios"), [])]
    for n in [int(s) for s in args.sizes.split(",") if s]:
        folder = os.path.join(work, f"gen{n}")
        if not os.path.isdir(folder):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_catalog.py"), folder, str(n)], check=True)
        catalogs.append((f"{n:,}", folder, ["--scenarios", folder]))

    def k(*a, **kw):
        return lambda: run([k8sdoc, *a], env=env, **kw)

    # Warm diagnose against the floor and grep, every catalog in the same rounds.
    before = os.path.abspath(args.before) if args.before else None
    # The older build keeps its own cache: its index format may differ.
    old_env = dict(env, K8SDOC_CACHE_DIR=os.path.join(work, "cache-before"))
    for _, _, layer in catalogs:
        subprocess.run([k8sdoc, "-q", *layer, "diagnose", "-s", QUERY], env=env, stdout=subprocess.DEVNULL)
        if before:
            subprocess.run([before, "-q", *layer, "diagnose", "-s", QUERY], env=old_env, stdout=subprocess.DEVNULL)
    commands = [("version", k("--version"))]
    for name, folder, layer in catalogs:
        commands.append((f"diagnose {name}", k("-q", *layer, "diagnose", "-s", QUERY)))
        if before:
            go = lambda layer=layer: run([before, "-q", *layer, "diagnose", "-s", QUERY], env=old_env)
            commands.append((f"before {name}", go))
        commands.append((f"grep {name}", lambda f=folder: run(["grep", "-ric", QUERY, f], out=to_file(scratch))))
    got = interleaved(commands, args.rounds)
    floor = got["version"][0]
    print(f"## Warm `diagnose -s \"{QUERY}\"` ({args.rounds} interleaved rounds, medians)")
    print(f"k8sdoc --version: {ms(floor)}\n")
    print("| catalog | diagnose | x floor | grep -ric | x grep | peak RSS |")
    print("|---|---|---|---|---|---|")
    for name, _, _ in catalogs:
        d, peak = got[f"diagnose {name}"]
        g, _ = got[f"grep {name}"]
        print(f"| {name} | {ms(d)} | {d / floor:.1f}x | {ms(g)} | {d / g:.2f}x | {peak:.1f} MB |")
        if before:
            b, peak = got[f"before {name}"]
            print(f"| {name}, before | {ms(b)} | {b / floor:.1f}x | | {b / g:.2f}x | {peak:.1f} MB |")

    if "cold" not in skip:
        print("\n## Cold index build against parsing the same files (`search` matching nothing)")
        print("| catalog | cold build | peak RSS | parse | x parse |")
        print("|---|---|---|---|---|")
        for name, folder, layer in catalogs:
            cold_env = dict(env, K8SDOC_CACHE_DIR=os.path.join(work, "cold-cache"))

            def cold(layer=layer, cold_env=cold_env):
                wipe = lambda: subprocess.run(["rm", "-rf", cold_env["K8SDOC_CACHE_DIR"]])
                return run([k8sdoc, "-q", *layer, "diagnose", "-s", QUERY], env=cold_env, before=wipe)

            parse = k("-q", *layer, "search", "-F", "zz-no-such-text-zz")
            # A cold build of a large catalog takes minutes: once is enough to compare.
            big = name != "built-in" and int(name.replace(",", "")) >= 50000
            rounds = 1 if big else 3
            got = interleaved([("cold", cold), ("parse", parse)], rounds)
            c, peak = got["cold"]
            p, _ = got["parse"]
            print(f"| {name} | {ms(c)} | {peak:.0f} MB | {ms(p)} | {c / p:.1f}x |")

    if "search" not in skip:
        print("\n## `search ImagePullBackOff` against `grep -rn`")
        print("| catalog | search | grep -rn | x grep |")
        print("|---|---|---|---|")
        for name, folder, layer in catalogs[:2]:
            got = interleaved(
                [
                    ("search", k("-q", *layer, "search", "ImagePullBackOff")),
                    ("grep", lambda f=folder: run(["grep", "-rn", "ImagePullBackOff", f], out=to_file(scratch))),
                ],
                5,
            )
            print(f"| {name} | {ms(got['search'][0])} | {ms(got['grep'][0])} | {got['search'][0] / got['grep'][0]:.1f}x |")

    if "paste" not in skip:
        log = os.path.join(work, "kubelet.log")
        if not os.path.exists(log):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_kubelet_log.py"), log, "1000000"], check=True)
        got = interleaved(
            [
                ("diagnose", k("-q", "diagnose", "--from", log)),
                ("grep", lambda: run(["grep", "-c", "Error syncing pod", log], out=to_file(scratch))),
            ],
            3,
        )
        size = os.path.getsize(log) / 2**20
        d, peak = got["diagnose"]
        g, _ = got["grep"]
        print(f"\n## `diagnose --from` a 1,000,000-line kubelet log ({size:.0f} MB)")
        print(f"diagnose {ms(d)}, peak {peak:.0f} MB; grep -c {ms(g)}; {d / g:.1f}x grep")

    if "analyze" not in skip:
        print("\n## `analyze` against `jq length`")
        print("| input | analyze | jq length | x jq | peak RSS | x file size |")
        print("|---|---|---|---|---|---|")
        for label, gen in [("100,000 events", "gen_events.py"), ("100,000 pods and events", "gen_objects.py")]:
            dump = os.path.join(work, gen.replace(".py", ".json"))
            if not os.path.exists(dump):
                subprocess.run([sys.executable, os.path.join(HERE, gen), dump, "100000"], check=True)
            got = interleaved(
                [
                    ("analyze", k("-q", "analyze", dump, "--format", "json")),
                    ("jq", lambda d=dump: run(["jq", "length", d], out=to_file(scratch))),
                ],
                3,
            )
            a, peak = got["analyze"]
            j, _ = got["jq"]
            size = os.path.getsize(dump) / 2**20
            print(f"| {label} ({size:.0f} MB) | {ms(a)} | {ms(j)} | {a / j:.2f}x | {peak:.0f} MB | {peak / size:.2f}x |")


if __name__ == "__main__":
    main()
