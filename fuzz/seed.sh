#!/usr/bin/env bash
# Seeds each target's corpus with a few deterministic pseudo-random inputs (the targets decode any
# bytes with `arbitrary`, so these are valid starting points), then lets libFuzzer grow it.
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import os, random
rng = random.Random(0x57ac)
for target, sizes in {"stack_vec": [16, 64, 256, 1024], "stack_string": [16, 64, 256, 1024], "arena": [16, 64, 256, 1024], "sync_arena": [2, 4, 8]}.items():
    os.makedirs(f"corpus/{target}", exist_ok=True)
    for i, size in enumerate(sizes * 4):
        with open(f"corpus/{target}/seed-{i:02}", "wb") as f:
            f.write(bytes(rng.randrange(256) for _ in range(size)))
PY
