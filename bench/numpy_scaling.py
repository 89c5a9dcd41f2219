#!/usr/bin/env python3
"""NumPy side of bench/scaling.ts: float64 matmul x @ W.T (batch x hidden times hidden x hidden) and the same
H->H->H tanh MLP forward and forward+VJP (dW, db, dX of both layers, as tide's Dense.vjp), at each size.

Usage: python3 bench/numpy_scaling.py MIN_SEC SAMPLES B1xH1 B2xH2 ...
Prints one JSON object: {"blas": {...}, "rows": [{"name", "batch", "hidden", "threads", "op", "sec"}]}, with
median seconds per call (time.perf_counter; each sample repeats the call until >= MIN_SEC), at 1 BLAS thread and
at the default thread count. The caller removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from this process's env.
BLAS info and thread control come from threadpoolctl when installed, else from OpenBLAS's own entry points via
ctypes (the symbol names of numpy's bundled scipy-openblas, then of a plain libopenblas).
"""
import ctypes
import json
import os
import statistics
import sys
import time

import numpy as np


def blas_handles():
    """(info dict, set_threads(n) or None, get_threads() or None)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            i = info[0]
            return ({"source": "threadpoolctl", "library": i.get("internal_api"), "version": i.get("version"),
                     "kernel": i.get("architecture"), "threads": i.get("num_threads")},
                    lambda n: threadpool_limits(n, user_api="blas"), None)
    except ImportError:
        pass
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and ".so" in line})
    for path in libs:
        lib = ctypes.CDLL(path)
        for pre, suf in (("scipy_openblas_", "64_"), ("openblas_", "")):
            try:
                core = getattr(lib, f"{pre}get_corename{suf}")
                conf = getattr(lib, f"{pre}get_config{suf}")
                setn = getattr(lib, f"{pre}set_num_threads{suf}")
                getn = getattr(lib, f"{pre}get_num_threads{suf}")
            except AttributeError:
                continue
            core.restype = conf.restype = ctypes.c_char_p
            return ({"source": "ctypes (threadpoolctl not installed)", "library": os.path.basename(path),
                     "config": conf().decode(), "kernel": core().decode(), "threads": getn()},
                    lambda n: setn(n), getn)
    return ({"source": "none found"}, None, None)


def median_sec(fn, min_sec, samples):
    fn()
    reps, t0 = 1, time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    reps = max(1, int(min_sec / max(dt, 1e-9)))
    per = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        per.append((time.perf_counter() - t0) / reps)
    return statistics.median(per)


def main():
    min_sec, samples = float(sys.argv[1]), int(sys.argv[2])
    sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3:]]
    info, set_threads, _ = blas_handles()
    default_threads = info.get("threads") or os.cpu_count()
    rng = np.random.default_rng(0)
    rows = []
    for threads in ([1, default_threads] if default_threads and default_threads > 1 else [1]):
        if set_threads:
            set_threads(threads)
        for b, h in sizes:
            x = rng.standard_normal((b, h))
            w1, w2 = rng.standard_normal((h, h)) / np.sqrt(h), rng.standard_normal((h, h)) / np.sqrt(h)
            b1, b2 = np.zeros(h), np.zeros(h)
            dout = rng.standard_normal((b, h))

            def matmul():
                return x @ w1.T

            def forward():
                return np.tanh(x @ w1.T + b1) @ w2.T + b2

            def forward_vjp():
                hid = np.tanh(x @ w1.T + b1)
                _ = hid @ w2.T + b2
                dw2 = dout.T @ hid
                db2 = dout.sum(0)
                dz1 = (dout @ w2) * (1 - hid * hid)
                dw1 = dz1.T @ x
                db1 = dz1.sum(0)
                return dz1 @ w1, dw1, db1, dw2, db2

            for op, fn in (("matmul", matmul), ("forward", forward), ("forward+vjp", forward_vjp)):
                rows.append({"name": f"numpy {op} {b}x{h} t{threads}", "op": op, "batch": b, "hidden": h,
                             "threads": threads, "sec": median_sec(fn, min_sec, samples)})
    print(json.dumps({"numpy": np.__version__, "blas": info, "rows": rows}))


if __name__ == "__main__":
    main()
