#!/usr/bin/env python3
"""Generates a large catalog for benchmarks: N scenarios in files of 100, built from the
built-in scenarios with renumbering and light word changes, so texts differ but stay realistic.
Usage: gen_catalog.py OUT_DIR N"""
import os, random, re, sys

out, n = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, '..', 'scenarios')
blocks = []
for name in sorted(os.listdir(src)):
    if name.endswith('.md'):
        text = open(os.path.join(src, name), encoding='utf-8').read()
        blocks += [b for b in re.split(r'(?m)^(?=### )', text) if b.startswith('### ')]
rng = random.Random(42)
swaps = [('production', 'staging'), ('cluster', 'fleet'), ('team', 'squad'), ('nodes', 'workers'),
         ('pods', 'replicas'), ('after', 'following'), ('the', 'that'), ('quickly', 'slowly')]
os.makedirs(out, exist_ok=True)
for f in range(0, n, 100):
    with open(os.path.join(out, f'gen-{f // 100:04d}.md'), 'w', encoding='utf-8') as fh:
        fh.write('# Generated catalog\n\n')
        for i in range(f, min(f + 100, n)):
            b = rng.choice(blocks)
            b = re.sub(r'Scenario #\d+', f'Scenario #{100000 + i}', b, count=1)
            # Public collections are terser than the built-in catalog (about 1.1 KB a scenario):
            # drop most of the long sections.
            for label in ('What You See', 'Lessons Learned', 'How to Avoid', 'Pro Tip', 'Covers'):
                if rng.random() < 0.9:
                    b = re.sub(r'(?s)\*\*' + label + r':\*\*.*?(?=\n\*\*[A-Z]|\Z)', '', b)
            for a, z in rng.sample(swaps, 3):
                b = b.replace(f' {a} ', f' {z} ')
            fh.write(b.rstrip() + f'\n\n<!-- variant {i} -->\n\n')
