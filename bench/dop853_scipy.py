#!/usr/bin/env python3
"""SciPy side of bench/dop853.ts: a DETEST-style work-precision comparison.

Reads one JSON object on stdin:
  {"tolerances": [[rtol, atol], ...], "methods": ["DOP853", "RK45"], "max_points": N,
   "problems": [{"name", "t0", "t1", "y0", "spiral": {W1, b1, W2, b2, batch, hidden} (spiral only)}],
   "tide": [{"problem", "key", "ts", "ys"}]}                      (tide's states at its step ends)
For every problem it builds a reference (the exact solution where one is known: DETEST A2, A3, B5, D1, D5; otherwise
solve_ivp DOP853 at rtol 2.3e-14 (SciPy's floor 100 eps), atol 1e-16, with dense output), runs each SciPy method at each
tolerance (nfev; max abs error over every accepted step end, at most max_points of them, evenly strided, the last always
included), and returns tide's errors measured the same way. Prints one JSON object on stdout.

Problems (the same definitions as bench/dop853.ts): white dwarf (shifted clock s = t - 0.5 in [0, 5]), spiral neural ODE (bench/solve,
numpy field from the same weights), Lotka-Volterra, Van der Pol mu = 1, 5, 10, the Arenstorf orbit (Hairer, Norsett &
Wanner I, II.0), DETEST A2, A3, B5, D1, D5 (Hull, Enright, Fellen & Sedgwick, SIAM J. Numer. Anal. 9 (1972) 603-637).
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy.integrate import solve_ivp
from scipy.special import ellipj

ARENSTORF_MU = 0.012277471


def white_dwarf(s, y):
    t = s + 0.5
    return [y[1], -((y[0] ** 2 - 0.001) ** 1.5) - 2.0 / t * y[1]]


def lotka_volterra(t, y):
    return [1.5 * y[0] - y[0] * y[1], y[0] * y[1] - 3.0 * y[1]]


def van_der_pol(mu):
    return lambda t, y: [y[1], mu * (1.0 - y[0] ** 2) * y[1] - y[0]]


def arenstorf(t, y):
    mu, mp = ARENSTORF_MU, 1.0 - ARENSTORF_MU
    d1 = ((y[0] + mu) ** 2 + y[1] ** 2) ** 1.5
    d2 = ((y[0] - mp) ** 2 + y[1] ** 2) ** 1.5
    return [y[2], y[3], y[0] + 2 * y[3] - mp * (y[0] + mu) / d1 - mu * (y[0] - mp) / d2,
            y[1] - 2 * y[2] - mp * y[1] / d1 - mu * y[1] / d2]


def a2(t, y):
    return [-0.5 * y[0] ** 3]


def a3(t, y):
    return [y[0] * math.cos(t)]


def b5(t, y):
    return [y[1] * y[2], -y[0] * y[2], -0.51 * y[0] * y[1]]


def two_body(t, y):
    r3 = (y[0] ** 2 + y[1] ** 2) ** 1.5
    return [y[2], y[3], -y[0] / r3, -y[1] / r3]


def kepler(e):
    """Exact D-problem solution: eccentric anomaly from E - e sin E = t (Newton), then the orbit."""
    def exact(ts):
        ts = np.atleast_1d(np.asarray(ts, dtype=float))
        # Danby's starter E0 = M + 0.85 e sign(sin M) makes Newton converge for every M and e < 1.
        E = ts + 0.85 * e * np.sign(np.sin(ts))
        for _ in range(50):
            E = E - (E - e * np.sin(E) - ts) / (1 - e * np.cos(E))
        assert np.max(np.abs(E - e * np.sin(E) - ts)) < 1e-14 * (1 + np.max(np.abs(ts)))
        c, s = np.cos(E), np.sin(E)
        q = 1 - e * c
        w = math.sqrt(1 - e * e)
        return np.stack([c - e, w * s, -s / q, w * c / q], axis=1)
    return exact


def spiral_field(spec):
    B, H = spec["batch"], spec["hidden"]
    W1T = np.array(spec["W1"], dtype=float).reshape(H, 2).T.copy()  # W stored [out, in]
    b1 = np.array(spec["b1"], dtype=float)
    W2T = np.array(spec["W2"], dtype=float).reshape(2, H).T.copy()
    b2 = np.array(spec["b2"], dtype=float)

    def f(t, y):
        Y = y.reshape(B, 2)
        return (np.tanh((Y ** 3) @ W1T + b1) @ W2T + b2).ravel()
    return f


def field_of(p):
    name = p["name"]
    if name == "white-dwarf":
        return white_dwarf
    if name == "spiral-nn":
        return spiral_field(p["spiral"])
    if name == "lotka-volterra":
        return lotka_volterra
    if name.startswith("van-der-pol"):
        return van_der_pol(float(p["mu"]))
    if name == "arenstorf":
        return arenstorf
    return {"detest-A2": a2, "detest-A3": a3, "detest-B5": b5, "detest-D1": two_body, "detest-D5": two_body}[name]


def exact_of(name):
    if name == "detest-A2":
        return lambda ts: (1.0 / np.sqrt(1.0 + np.atleast_1d(ts)))[:, None]
    if name == "detest-A3":
        return lambda ts: np.exp(np.sin(np.atleast_1d(ts)))[:, None]
    if name == "detest-B5":
        def b5_exact(ts):
            sn, cn, dn, _ = ellipj(np.atleast_1d(ts), 0.51)
            return np.stack([sn, cn, dn], axis=1)
        return b5_exact
    if name == "detest-D1":
        return kepler(0.1)
    if name == "detest-D5":
        return kepler(0.9)
    return None


def strided(n, max_points):
    if n <= max_points:
        return np.arange(n)
    idx = np.linspace(0, n - 1, max_points).round().astype(int)
    return np.unique(np.append(idx, n - 1))


def max_err(ref, ts, ys, max_points):
    ts = np.asarray(ts, dtype=float)
    ys = np.asarray(ys, dtype=float)
    idx = strided(len(ts), max_points)
    return float(np.max(np.abs(ys[idx] - ref(ts[idx]))))


def main():
    inp = json.load(sys.stdin)
    max_points = int(inp["max_points"])
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "problems": {}, "tide": []}
    refs = {}
    for p in inp["problems"]:
        f, span, y0 = field_of(p), (float(p["t0"]), float(p["t1"])), np.array(p["y0"], dtype=float)
        exact = exact_of(p["name"])
        info = {}
        if exact is not None:
            ref = exact
            info["reference"] = "exact"
            info["ref_err_max"] = max_err(exact, [span[0]], [y0], 1)
        else:
            tight = solve_ivp(f, span, y0, method="DOP853", rtol=2.3e-14, atol=1e-16, dense_output=True)
            assert tight.success, tight.message
            check = solve_ivp(f, span, y0, method="DOP853", rtol=1e-13, atol=1e-15, dense_output=True)
            grid = np.linspace(span[0], span[1], 401)
            ref = lambda ts, s=tight.sol: s(np.atleast_1d(ts)).T
            info["reference"] = "DOP853 rtol 2.3e-14"
            info["ref_nfev"] = int(tight.nfev)
            # Distance to a 4x looser solve on a grid: an upper estimate of the reference's own error.
            info["ref_err_max"] = float(np.max(np.abs(tight.sol(grid) - check.sol(grid))))
        refs[p["name"]] = ref
        runs = []
        for method in inp["methods"]:
            for rtol, atol in inp["tolerances"]:
                sol = solve_ivp(f, span, y0, method=method, rtol=rtol, atol=atol)
                assert sol.success, sol.message
                runs.append({"method": method, "rtol": rtol, "atol": atol, "nfe": int(sol.nfev),
                             "n_accepted": int(sol.t.size - 1), "err_max": max_err(ref, sol.t, sol.y.T, max_points)})
        info["runs"] = runs
        out["problems"][p["name"]] = info
    for run in inp["tide"]:
        out["tide"].append({"key": run["key"], "err_max": max_err(refs[run["problem"]], run["ts"], run["ys"], max_points)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
