#!/usr/bin/env python3
"""Generates a kubelet log (klog lines, as `journalctl -u kubelet -o cat` prints them) with N
lines, for the `diagnose --from` benchmark: PLEG events, CrashLoopBackOff sync errors naming the
pod as `NAME-HASH-XXXXX_ns(uid)`, kube-api-access volume verification, and an occasional failed
kube-api-access mount. Pod suffixes and volume names vary, so a paste reader has to strip them to
fold the repeats. Deterministic (random.Random(7)).
Usage: gen_kubelet_log.py OUT_FILE N"""
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def suffix():
    return "".join(rng.choice(ALPHABET) for _ in range(5))


def uid():
    return f"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}-4{rng.randrange(16**3):03x}-8{rng.randrange(16**3):03x}-{rng.randrange(16**12):012x}"


def pleg(pod):
    return (f'kubelet.go:2412] "SyncLoop (PLEG): event for pod" pod="shop/{pod}" '
            f'event={{ID:{uid()} Type:ContainerStarted Data:{rng.randrange(16**16):016x}}}')


def crashloop(pod):
    return ('pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"app\\" '
            f'with CrashLoopBackOff: \\"back-off 5m0s restarting failed container=app pod={pod}_shop({uid()})\\"" '
            f'pod="shop/{pod}" podUID="{uid()}"')


def verify_volume(pod):
    vol, u = f"kube-api-access-{suffix()}", uid()
    return ('reconciler_common.go:258] "operationExecutor.VerifyControllerAttachedVolume started for volume '
            f'\\"{vol}\\" (UniqueName: \\"kubernetes.io/projected/{u}-{vol}\\") pod \\"{pod}\\" (UID: \\"{u}\\") " '
            f'pod="shop/{pod}"')


def mount_failed(pod):
    vol, u = f"kube-api-access-{suffix()}", uid()
    return ('nestedpendingoperations.go:348] Operation for "{volumeName:kubernetes.io/projected/'
            f'{u}-{vol} podName:{u} nodeName:}}" failed. No retries permitted until 2025-12-01 10:00:01.5 '
            f'+0000 UTC m=+12.5 (durationBeforeRetry 500ms). Error: MountVolume.SetUp failed for volume "{vol}" '
            f'(UniqueName: "kubernetes.io/projected/{u}-{vol}") pod "{pod}" (UID: "{u}") : '
            'object "shop"/"kube-root-ca.crt" not registered')


# (severity, shape, share in thousandths)
SHAPES = [("I", pleg, 330), ("E", crashloop, 330), ("I", verify_volume, 330), ("E", mount_failed, 10)]
THRESHOLDS = []
total = 0
for severity, shape, share in SHAPES:
    total += share
    THRESHOLDS.append((total, severity, shape))

with open(out, "w") as fh:
    for i in range(n):
        pick = rng.randrange(total)
        severity, shape = next((s, f) for t, s, f in THRESHOLDS if pick < t)
        pod = f"web-5d9c7b8f4-{suffix()}"
        micros = i * 1000
        clock = f"10:{micros // 60_000_000 % 60:02d}:{micros // 1_000_000 % 60:02d}.{micros % 1_000_000:06d}"
        fh.write(f"{severity}1201 {clock}    1234 {shape(pod)}\n")
