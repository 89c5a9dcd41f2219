#!/usr/bin/env python3
"""SciPy side of bench/solve.ts, case (a): the Chandrasekhar white dwarf (McCallum & Foster's experiment 1, shifted clock
s in [0, 5], t = s + 0.5, C = 0.001, (x, v)(0) = (1, 0)) with solve_ivp RK45 (Dormand-Prince 5(4)).

Usage: python3 bench/scipy_white_dwarf.py RTOL ATOL SAMPLES GRID_N
Prints one JSON object: median seconds per solve (time.perf_counter, warm-up first, each sample repeats the solve
until >= 0.1 s), nfev, accepted steps, the state at GRID_N equispaced times (dense output), and a DOP853
reference at rtol = atol = 1e-13 on the same grid.
"""
import json
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

C = 0.001


def white_dwarf(s, y):
    t = s + 0.5
    return [y[1], -((y[0] ** 2 - C) ** 1.5) - 2.0 / t * y[1]]


def main():
    rtol, atol = float(sys.argv[1]), float(sys.argv[2])
    samples, grid_n = int(sys.argv[3]), int(sys.argv[4])
    span, y0 = (0.0, 5.0), [1.0, 0.0]

    def run():
        return solve_ivp(white_dwarf, span, y0, method="RK45", rtol=rtol, atol=atol)

    sol = run()  # warm-up
    assert sol.success, sol.message
    t0 = time.perf_counter()
    run()
    once = time.perf_counter() - t0
    reps = max(1, int(0.1 / max(once, 1e-9)) + 1)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            run()
        times.append((time.perf_counter() - t0) / reps)
    grid = np.linspace(span[0], span[1], grid_n)
    on_grid = solve_ivp(white_dwarf, span, y0, method="RK45", rtol=rtol, atol=atol, t_eval=grid)
    ref = solve_ivp(white_dwarf, span, y0, method="DOP853", rtol=1e-13, atol=1e-13, t_eval=grid)
    print(json.dumps({
        "scipy": scipy.__version__,
        "sec": statistics.median(times),
        "samples": len(times),
        "reps_per_sample": reps,
        "nfev": int(sol.nfev),
        "n_accepted": len(sol.t) - 1,
        "y_final": sol.y[:, -1].tolist(),
        "grid": grid.tolist(),
        "ys": on_grid.y.T.tolist(),
        "ref_ys": ref.y.T.tolist(),
    }))


if __name__ == "__main__":
    main()
