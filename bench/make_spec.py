#!/usr/bin/env python3
"""Writes examples/cluster1.yaml with N daemons instead of two: the benchmark's input.
Usage: make_spec.py N > spec.yaml"""
import pathlib
import sys

n = int(sys.argv[1])
example = pathlib.Path(__file__).resolve().parent.parent / "examples" / "cluster1.yaml"
out, skipping = [], False
for line in example.read_text().splitlines():
    if line.startswith("daemons:"):
        out.append("daemons:")
        for i in range(n):
            out.append(f"  - host: ip-10-{30 + i // 65536}-{(i // 256) % 256}-{i % 256}.ec2.internal")
            out.append(f"    instance_id: i-{i:017x}")
        skipping = True
        continue
    if skipping and line.startswith("  "):
        continue
    skipping = False
    out.append(line)
print("\n".join(out))
