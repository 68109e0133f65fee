#!/usr/bin/env python3
"""Generates `kubectl get pods,events -A -o json` output with N objects (half pods, half
events), for the analyze benchmark: pods in several states, with volumes, env references and
owners, and the events about them.
Usage: gen_objects.py OUT_FILE N"""
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(11)
states = [
    {"running": {"startedAt": "2025-11-20T09:00:00Z"}},
    {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=app"}},
    {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"registry.example.com/app:9\""}},
    {"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"db-pass\" not found"}},
]
events = [
    ("Warning", "BackOff", "Back-off restarting failed container app in pod {pod}_{ns}(uid)"),
    ("Warning", "FailedScheduling", "0/12 nodes are available: 12 Insufficient memory. preemption: 0/12 nodes are available: 12 No preemption victims found for incoming pod."),
    ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ("Normal", "Pulled", "Container image \"registry.example.com/app:1.2.3\" already present on machine"),
]
with open(out, "w") as fh:
    fh.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[\n')
    for i in range(n):
        ns = f"team-{i % 50:02d}"
        rs = f"svc{(i // 2) % 400:03d}-5d9c7b8f4"
        pod = f"{rs}-{i // 2:06d}"
        if i % 2 == 0:
            state = states[0] if rng.random() < 0.8 else rng.choice(states[1:])
            ready = "running" in state
            item = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": pod, "namespace": ns, "labels": {"app": rs[:6]},
                                 "creationTimestamp": "2025-11-20T08:00:00Z",
                                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "controller": True}]},
                    "spec": {"serviceAccountName": "default", "nodeName": f"node-{i % 12}",
                             "containers": [{"name": "app", "image": "registry.example.com/app:1.2.3",
                                             "env": [{"name": "DB_PASS", "valueFrom": {"secretKeyRef": {"name": "db-pass", "key": "p"}}}],
                                             "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}],
                             "volumes": [{"name": "cfg", "configMap": {"name": "app-config"}}]},
                    "status": {"phase": "Running" if ready else "Pending",
                               "conditions": [{"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": "2025-11-20T09:00:00Z"}],
                               "containerStatuses": [{"name": "app", "ready": ready, "restartCount": 0 if ready else rng.randrange(1, 40),
                                                      "image": "registry.example.com/app:1.2.3", "imageID": "", "state": state}]}}
        else:
            typ, reason, msg = rng.choice(events)
            item = {"apiVersion": "v1", "kind": "Event", "count": rng.randrange(1, 300), "type": typ, "reason": reason,
                    "message": msg.format(pod=pod, ns=ns),
                    "metadata": {"name": f"{pod}.{i:016x}", "namespace": ns},
                    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns},
                    "firstTimestamp": "2025-11-20T09:00:00Z", "lastTimestamp": "2025-11-20T10:00:00Z"}
        fh.write(("," if i else "") + json.dumps(item) + "\n")
    fh.write("]}\n")
