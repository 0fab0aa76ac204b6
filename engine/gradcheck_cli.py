"""``python -m engine gradcheck``: build the network a run config describes, as ``train``
does, and check its back-propagation against central differences on a few of the
config's training samples (``engine.gradcheck.check_network``), one line per parameter
array. Exit 0 when every array is within ``NETWORK_TOLERANCE``, 1 when one is not."""

from __future__ import annotations

import time

from .cli import json_line
from .cli_args import config_from_args
from .errors import SpecError
from .gradcheck import NETWORK_TOLERANCE, GradientRow, check_network

#: the exit code when a gradient differs (2 stays "bad input", as for every command).
EXIT_GRADIENTS_DIFFER = 1


def gradcheck(args) -> int:
    from .budget import check_run_memory
    from .compare import make_run
    from .datasets.loader import load_dataset

    if args.check_samples < 1:
        raise SpecError(f"--samples must be at least 1, got {args.check_samples}")
    if args.entries < 1:
        raise SpecError(f"--entries must be at least 1, got {args.entries}")
    config = config_from_args(args)
    data = load_dataset(config)
    check_run_memory(config, data)
    model, _ = make_run(config, data)
    n = min(args.check_samples, len(data.x_train))
    start = time.perf_counter()
    rows = check_network(model, data.x_train[:n], data.y_train[:n], entries=args.entries,
                         seed=config.seed)
    seconds = time.perf_counter() - start
    failed = [r.name for r in rows if not r.passed]
    if args.json:
        for r in rows:
            print(json_line({**r.to_dict(), "passed": r.passed}))
        print(json_line({"summary": True, "passed": not failed, "arrays": len(rows),
                         "failed": failed, "samples": n, "tolerance": NETWORK_TOLERANCE,
                         "seconds": seconds}))
    else:
        print(f"{data.name}: {n} training samples, {len(rows)} parameter arrays "
              f"({model.num_parameters():,} parameters), float64 central differences")
        print(gradient_table(rows))
        if failed:
            print(f"{len(failed)} of {len(rows)} arrays exceed {NETWORK_TOLERANCE:g}: "
                  f"{', '.join(failed)}")
        else:
            print(f"all {len(rows)} arrays within {NETWORK_TOLERANCE:g} ({seconds:.1f} s)")
    return EXIT_GRADIENTS_DIFFER if failed else 0


def gradient_table(rows: list[GradientRow]) -> str:
    """The rows as a table: name, shape, max_rel_err, entries checked and at kinks."""
    width = max([len("name")] + [len(r.name) for r in rows])
    shapes = [str(r.shape) for r in rows]
    sw = max([len("shape")] + [len(s) for s in shapes])
    lines = [f"{'name':<{width}}  {'shape':<{sw}}  max_rel_err  checked  at kinks"]
    for r, shape in zip(rows, shapes):
        mark = "" if r.passed else "  FAIL"
        lines.append(f"{r.name:<{width}}  {shape:<{sw}}  {r.max_rel_err:11.2e}  "
                     f"{r.checked:7d}  {r.at_kinks:8d}{mark}")
    return "\n".join(lines)
