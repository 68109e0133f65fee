#!/usr/bin/env python3
"""Generates `kubectl get pods,events -A -o json` output with N objects (half pods, half
events), for the analyze benchmark: pods of 1,000 ReplicaSets in 50 namespaces, 80% running
and ready, the rest crash-looping, failing to pull or missing a Secret; each with volumes, env
references and an owner; and the events the kubelet writes about them (Warning events for the
failing pods, Normal ones for the others).
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
# The events each state brings, by the index of the state above.
events = {
    0: [("Normal", "Pulled", "Container image \"registry.example.com/app:1.2.3\" already present on machine"),
        ("Normal", "Started", "Started container app"), ("Normal", "Scheduled", "Successfully assigned {ns}/{pod} to node-3")],
    1: [("Warning", "BackOff", "Back-off restarting failed container app in pod {pod}_{ns}(uid)")],
    2: [("Warning", "Failed", "Failed to pull image \"registry.example.com/app:9\": rpc error: code = NotFound desc = failed to pull and unpack image \"registry.example.com/app:9\": not found"),
        ("Normal", "BackOff", "Back-off pulling image \"registry.example.com/app:9\"")],
    3: [("Warning", "Failed", "Error: secret \"db-pass\" not found")],
}
with open(out, "w") as fh:
    fh.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[\n')
    pod_state = {}
    for i in range(n):
        r = (i // 2) % 1000
        ns = f"team-{r % 50:02d}"
        rs = f"svc{r:03d}-5d9c7b8f4"
        pod = f"{rs}-{i // 2:06d}"
        if i % 2 == 0:
            # A ReplicaSet's pods mostly fail alike: one rollout, one cause.
            k = 0 if r % 5 else 1 + (r // 5) % 3
            if rng.random() < 0.1:
                k = 0
            pod_state[pod] = k
            state = states[k]
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
            typ, reason, msg = rng.choice(events[pod_state[pod]])
            item = {"apiVersion": "v1", "kind": "Event", "count": rng.randrange(1, 300), "type": typ, "reason": reason,
                    "message": msg.format(pod=pod, ns=ns),
                    "metadata": {"name": f"{pod}.{i:016x}", "namespace": ns},
                    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns},
                    "firstTimestamp": "2025-11-20T09:00:00Z", "lastTimestamp": "2025-11-20T10:00:00Z"}
        fh.write(("," if i else "") + json.dumps(item) + "\n")
    fh.write("]}\n")
