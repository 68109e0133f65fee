#!/usr/bin/env python3
"""Generates `kubectl get events -A -o json` output with N events, for the analyze benchmark.
Usage: gen_events.py OUT_FILE N"""
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
kinds = [
    ("Warning", "BackOff", "Back-off restarting failed container app in pod {pod}_{ns}({uid})"),
    ("Warning", "FailedScheduling", "0/12 nodes are available: 12 Insufficient memory. preemption: 0/12 nodes are available: 12 No preemption victims found for incoming pod."),
    ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ("Warning", "FailedMount", "MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found"),
    ("Normal", "Pulled", "Container image \"registry.example.com/app:1.2.3\" already present on machine"),
    ("Normal", "Started", "Started container app"),
]
with open(out, "w") as fh:
    fh.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[\n')
    for i in range(n):
        ns = f"team-{i % 50:02d}"
        suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        pod = f"svc{i % 400:03d}-5d9c7b8f4-{suffix}"
        typ, reason, msg = kinds[rng.randrange(len(kinds))]
        uid = f"{rng.randrange(16**8):08x}-0000-4000-8000-{rng.randrange(16**12):012x}"
        item = {"apiVersion": "v1", "kind": "Event", "count": rng.randrange(1, 300), "type": typ, "reason": reason,
                "message": msg.format(pod=pod, ns=ns, uid=uid),
                "metadata": {"name": f"{pod}.{rng.randrange(16**16):016x}", "namespace": ns, "uid": uid, "resourceVersion": str(i)},
                "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns, "uid": uid},
                "source": {"component": "kubelet", "host": f"node-{i % 12}"},
                "firstTimestamp": "2025-11-20T09:00:00Z", "lastTimestamp": "2025-11-20T10:00:00Z"}
        fh.write(("," if i else "") + json.dumps(item) + "\n")
    fh.write("]}\n")
