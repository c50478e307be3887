#!/usr/bin/python3
"""scikit-learn reference for modenorm: fits, parity fixtures and a self-check.

modenorm re-implements scikit-learn's ``BayesianGaussianMixture`` in 1-D with
the CTGAN / RDT settings (``docs/VGM_SPEC.md``). This script produces the JSON
files the C++ tests compare against. Run it with Debian's interpreter,
``/usr/bin/python3`` (numpy, scipy, scikit-learn 1.2.1).

Subcommands
-----------
fit       Fit ``BayesianGaussianMixture(n_components=10,
          weight_concentration_prior_type='dirichlet_process',
          weight_concentration_prior=0.001, max_iter=100, n_init=1,
          random_state=SEED)`` exactly as CTGAN/RDT do and dump priors, the
          k-means cluster centres, the initial statistics and parameters, every
          fitted attribute, lower_bound_, n_iter_, converged_, the valid masks
          and probe values (VGM_SPEC section 11).

iterate   The parity driver. Every row is hard-assigned to the nearest of the
          given initial means (``abs(x - m)`` in float64, ties to the lower
          index), giving one-hot responsibilities r0. sklearn's own private
          methods then do the rest: ``_check_parameters(X)``,
          ``_initialize(X, r0)`` and the loop of ``fit`` (``_e_step``,
          ``_m_step``, ``_compute_lower_bound``, stop when the absolute change
          of the bound is below tol = 1e-3 or after ``--iters`` iterations).
          Every iteration is recorded (parameters, sums R/S1/S2/D, the entropy
          term H, the bound).

          Checked on data/credit_amount.csv (random_state=42): assigning every
          row to the nearest of sklearn's final k-means centres reproduces
          sklearn's k-means labels exactly, and iterating from there reproduces
          sklearn's own ``fit`` result bit for bit (all parameters, weights_,
          lower_bound_, n_iter_, converged_). The same holds for the other
          fixtures whose initial means come from a ``fit`` dump; the outcome
          is recorded in each fixture under ``parity_with_sklearn_fit``.

selfcheck Recompute a fixture from its initial means with a small numpy
          implementation of VGM_SPEC sections 2-7 that does not use
          scikit-learn (shifted sums, explicit formulas) and report the largest
          relative difference per quantity. Exit status 1 above --threshold.

gen-data  Write the synthetic CSV data sets (three_mode.csv, offset.csv).

Input files: a CSV with a header (the column is chosen by name with
``--column``), a ``.npy`` array, or one of the built-in small data sets
``builtin:tiny`` and ``builtin:constant`` (their values are stored in the output
under ``data``).

JSON floats are written with Python's ``repr`` (round-trip exact); every numpy
value is converted with ``float()``/``int()`` first.
"""

import argparse
import csv
import json
import math
import os
import sys
import warnings

import numpy as np

SCHEMA = "modenorm-sklearn-reference/1"
K = 10
ALPHA0 = 0.001
MAX_ITER = 100
TOL = 1e-3
REG_COVAR = 1e-6
VALID_WEIGHT = 0.005
STD_MULT = 4.0
SAMPLING_FLOOR = 1e-6
MAX_PROBES = 32
EPS = float(np.finfo(np.float64).eps)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Hand-made 30 rows with repeated values (14 distinct), two clusters of small
# values, a spike, a gap and an outlier. Used for fast unit tests.
TINY_DATA = [
    0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0, 2.0,
    2.25, 3.0, 3.0, 9.99, 9.99, 9.99, 9.99, 9.99, 10.5, 12.0,
    12.0, 15.0, 15.0, 15.0, 20.0, 24.75, 40.0, 40.0, 41.0, 250.0,
]
# Fifty equal values (VGM_SPEC section 9: psi0 = 0).
CONSTANT_DATA = [5.0] * 50
BUILTIN = {"tiny": TINY_DATA, "constant": CONSTANT_DATA}


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def floats(a):
    """numpy array (any shape) -> nested list of Python floats."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def repo_relative(path):
    full = os.path.abspath(path)
    rel = os.path.relpath(full, REPO_ROOT)
    return full if rel.startswith("..") else rel


def load_values(spec, column):
    """Return (values float64 1-D array, path for the JSON or None, inline?)."""
    if spec.startswith("builtin:"):
        name = spec.split(":", 1)[1]
        if name not in BUILTIN:
            sys.exit("unknown built-in data set %r (have %s)" % (name, sorted(BUILTIN)))
        return np.array(BUILTIN[name], dtype=np.float64), None, True
    if spec.endswith(".npy"):
        x = np.load(spec).astype(np.float64).ravel()
        return x, repo_relative(spec), False
    with open(spec, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if column not in header:
            sys.exit("%s: no column %r (columns: %s)" % (spec, column, header))
        j = header.index(column)
        x = np.array([float(row[j]) for row in reader if row], dtype=np.float64)
    return x, repo_relative(spec), False


def as_design_matrix(x):
    """(n,) values -> the (n, 1) C-contiguous float64 matrix sklearn uses."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1, 1))


def make_estimator(seed, max_iter=MAX_ITER):
    from sklearn.mixture import BayesianGaussianMixture
    return BayesianGaussianMixture(
        n_components=K,
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=ALPHA0,
        max_iter=max_iter,
        n_init=1,
        random_state=seed,
    )


def nearest_assignment(x, means):
    """Index of the nearest mean for every row: abs(x - m) in float64, ties to
    the lower index (np.argmin returns the first minimum)."""
    means = np.asarray(means, dtype=np.float64)
    dist = np.abs(x[:, None] - means[None, :])
    return np.argmin(dist, axis=1)


def one_hot(labels, k=K):
    resp = np.zeros((labels.shape[0], k))
    resp[np.arange(labels.shape[0]), labels] = 1.0
    return resp


def stats_from_resp(x, resp):
    """R, S1, S2 and the centred D of VGM_SPEC 5.1 (plain float64 numpy)."""
    R = resp.sum(axis=0)
    S1 = resp.T @ x
    S2 = resp.T @ (x * x)
    xbar = S1 / (R + 10 * EPS)
    D = np.array([np.sum(resp[:, k] * (x - xbar[k]) ** 2) for k in range(resp.shape[1])])
    return {"R": floats(R), "S1": floats(S1), "S2": floats(S2), "D": floats(D)}


def params_of(est):
    """The seven K-arrays of VGM_SPEC section 0 from a sklearn estimator."""
    return {
        "a": floats(est.weight_concentration_[0]),
        "b": floats(est.weight_concentration_[1]),
        "beta": floats(est.mean_precision_),
        "m": floats(est.means_[:, 0]),
        "nu": floats(est.degrees_of_freedom_),
        "C": floats(est.covariances_[:, 0, 0]),
        "P": floats(est.precisions_cholesky_[:, 0, 0]),
    }


def priors_of(est):
    return {
        "alpha0": float(est.weight_concentration_prior_),
        "beta0": float(est.mean_precision_prior_),
        "m0": float(est.mean_prior_[0]),
        "nu0": float(est.degrees_of_freedom_prior_),
        "psi0": float(np.asarray(est.covariance_prior_).ravel()[0]),
    }


def settings_of(est, init_means):
    return {
        "n_components": K,
        "weight_concentration_prior_type": "dirichlet_process",
        "weight_concentration_prior": ALPHA0,
        "reg_covar": float(est.reg_covar),
        "tol": float(est.tol),
        "max_iter": int(est.max_iter),
        "mean_precision_prior": float(est.mean_precision_prior_),
        "degrees_of_freedom_prior": float(est.degrees_of_freedom_prior_),
        "init_means": None if init_means is None else floats(init_means),
    }


def input_block(x_raw, path, shift=0.0):
    return {
        "path": path,
        "n": int(x_raw.shape[0]),
        "sum": float(np.sum(x_raw)),
        "min": float(np.min(x_raw)),
        "max": float(np.max(x_raw)),
        "shift": float(shift),
    }


def versions():
    import sklearn
    return {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__}


# ---------------------------------------------------------------------------
# Final attributes, masks and probes (shared by fit and iterate)
# ---------------------------------------------------------------------------

def fit_block(est):
    return {
        "weights": floats(est.weights_),
        "means": floats(est.means_[:, 0]),
        "covariances": floats(est.covariances_[:, 0, 0]),
        "stds": floats(np.sqrt(est.covariances_[:, 0, 0])),
        "weight_concentration_a": floats(est.weight_concentration_[0]),
        "weight_concentration_b": floats(est.weight_concentration_[1]),
        "mean_precision": floats(est.mean_precision_),
        "degrees_of_freedom": floats(est.degrees_of_freedom_),
        "lower_bound": float(est.lower_bound_),
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
    }


def masks_and_probes(est, X, extra_probes=()):
    """valid masks (weights rule, CTAB-GAN argmax rule), predict counts, probes."""
    proba = est.predict_proba(X)
    labels = np.argmax(proba, axis=1)
    counts = np.bincount(labels, minlength=K)
    # predict() takes the argmax of the weighted log-probabilities; it must
    # select the same component as the argmax of predict_proba.
    if not np.array_equal(labels, est.predict(X)):
        warnings.warn("argmax of predict_proba differs from predict()")
    weights = np.asarray(est.weights_)
    valid = weights > VALID_WEIGHT
    valid_argmax = valid & (counts > 0)

    x = X[:, 0]
    means = est.means_[:, 0]
    stds = np.sqrt(est.covariances_[:, 0, 0])
    probe_x = choose_probes(x, means[valid_argmax], extra_probes)
    P = est.predict_proba(as_design_matrix(probe_x))
    idx = np.flatnonzero(valid_argmax)
    probes = []
    for i, xv in enumerate(probe_x):
        p_valid = P[i, idx] + SAMPLING_FLOOR
        q = p_valid / np.sum(p_valid)
        alpha_all = (xv - means) / (STD_MULT * stds)
        probes.append({
            "x": float(xv),
            "predict_proba": floats(P[i]),
            "sampling_probs": floats(q),
            "alpha": floats(alpha_all[idx]),
            "alpha_all": floats(alpha_all),
        })
    return {
        "valid_components": [bool(v) for v in valid],
        "predict_counts": [int(c) for c in counts],
        "valid_components_argmax_rule": [bool(v) for v in valid_argmax],
        "valid_indices_argmax_rule": [int(i) for i in idx],
        "probes": probes,
    }


def choose_probes(x, valid_means, extra):
    """~20 probe values: extremes, zero, quartiles, the valid means, midpoints
    between neighbouring valid means, points beyond both ends, plus extras."""
    lo, hi = float(np.min(x)), float(np.max(x))
    span = hi - lo if hi > lo else 1.0
    cand = [lo, hi, 0.0] + [float(e) for e in extra]
    cand += [float(q) for q in np.quantile(x, [0.25, 0.5, 0.75])]
    vm = np.sort(np.asarray(valid_means, dtype=np.float64))
    cand += [float(m) for m in vm]
    cand += [float(0.5 * (a + b)) for a, b in zip(vm[:-1], vm[1:])]
    cand += [hi + 0.5 * span, hi + 10.0 * span, lo - 0.5 * span]
    out = []
    for v in cand:
        if v not in out:
            out.append(v)
    return np.array(out[:MAX_PROBES], dtype=np.float64)


# ---------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------

def cmd_fit(args):
    from sklearn.cluster import KMeans
    from sklearn.utils import check_random_state

    x, path, inline = load_values(args.input, args.column)
    X = as_design_matrix(x)

    # 1. The k-means that sklearn runs inside fit, reproduced with the same
    #    RandomState (fit builds RandomState(seed) and hands it to KMeans first).
    km = KMeans(n_clusters=K, n_init=1, random_state=check_random_state(args.seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km.fit(X)
    centres = km.cluster_centers_[:, 0]

    # 2. sklearn's fit, capturing the responsibilities it initialises from.
    est = make_estimator(args.seed)
    captured = {}
    original_initialize = est._initialize

    def capturing_initialize(Xi, resp):
        captured["resp"] = resp.copy()
        original_initialize(Xi, resp)
        captured["init_params"] = params_of(est)

    est._initialize = capturing_initialize
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X)
    del est._initialize

    sk_labels = np.argmax(captured["resp"], axis=1)
    near = nearest_assignment(x, centres)
    out = {"schema": SCHEMA}
    out.update(versions())
    out["kind"] = "fit"
    out["input"] = input_block(x, path)
    if inline:
        out["data"] = floats(x)
    out["seed"] = args.seed
    out["settings"] = settings_of(est, centres)
    out["priors"] = priors_of(est)
    out["kmeans"] = {
        "cluster_centers": floats(centres),
        "labels_counts": [int(c) for c in np.bincount(sk_labels, minlength=K)],
        "labels_equal_refit_kmeans": bool(np.array_equal(sk_labels, km.labels_)),
        "nearest_centre_mismatches": int(np.sum(near != sk_labels)),
    }
    out["init"] = stats_from_resp(x, captured["resp"])
    out["init_params"] = captured["init_params"]
    out["fit"] = fit_block(est)
    out["fit_params"] = params_of(est)
    out.update(masks_and_probes(est, X, parse_list(args.probes)))
    write_json(out, args.out)
    print("fit: n=%d n_iter=%d converged=%s lower_bound=%r valid=%d nearest-centre "
          "mismatches=%d" % (x.shape[0], est.n_iter_, est.converged_, est.lower_bound_,
                             int(np.sum(out["valid_components"])),
                             out["kmeans"]["nearest_centre_mismatches"]))


# ---------------------------------------------------------------------------
# iterate
# ---------------------------------------------------------------------------

def run_iterations(x, init_means, max_iter, tol=TOL):
    """sklearn's fit loop from a hard nearest-mean initialisation.

    Returns (estimator, record) where the estimator holds the final state with
    weights_, n_iter_, lower_bound_ and converged_ set as ``fit`` sets them.
    """
    X = as_design_matrix(x)
    est = make_estimator(0, max_iter=max_iter)
    est.tol = tol
    labels = nearest_assignment(x, init_means)
    r0 = one_hot(labels)

    est._check_parameters(X)
    est._initialize(X, r0)
    rec = {
        "priors": priors_of(est),
        "init": stats_from_resp(x, r0),
        "init_params": params_of(est),
        "iterations": [],
    }
    lower_bound = -np.inf
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        prev_lower_bound = lower_bound
        log_prob_norm, log_resp = est._e_step(X)
        est._m_step(X, log_resp)
        lower_bound = est._compute_lower_bound(log_resp, log_prob_norm)
        resp = np.exp(log_resp)
        rec["iterations"].append({
            "t": n_iter,
            "params": params_of(est),
            "stats": stats_from_resp(x, resp),
            "entropy_sum_r_log_r": float(np.sum(resp * log_resp)),
            "lower_bound": float(lower_bound),
            "log_prob_norm": float(log_prob_norm),
        })
        if abs(lower_bound - prev_lower_bound) < tol:
            converged = True
            break
    est._set_parameters(est._get_parameters())
    est.n_iter_ = n_iter
    est.lower_bound_ = lower_bound
    est.converged_ = converged
    rec["labels"] = labels
    return est, rec


KEEP_ITERS = (1, 2, 3, 5, 10, 20, 50, 100)


def thin_iterations(iters, limit_bytes):
    size = len(json.dumps(iters))
    if size < limit_bytes:
        return iters
    last = iters[-1]["t"]
    return [it for it in iters if it["t"] in KEEP_ITERS or it["t"] == last]


def max_rel(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b) / den))


def cmd_iterate(args):
    x_raw, path, inline = load_values(args.input, args.column)
    ref = None
    if args.init_json:
        with open(args.init_json) as f:
            ref = json.load(f)
        if "kmeans" in ref:
            init_raw = np.array(ref["kmeans"]["cluster_centers"], dtype=np.float64)
        else:
            init_raw = np.array(ref["settings"]["init_means"], dtype=np.float64)
            init_raw = init_raw + ref["input"].get("shift", 0.0)
    else:
        init_raw = np.array(parse_list(args.init_means), dtype=np.float64)
    if init_raw.shape != (K,):
        sys.exit("need exactly %d initial means, got %d" % (K, init_raw.size))

    if args.shift == "mean":
        shift = float(np.mean(x_raw))
    else:
        shift = float(args.shift)
    x = x_raw - shift if shift != 0.0 else x_raw.copy()
    init = init_raw - shift if shift != 0.0 else init_raw

    est, rec = run_iterations(x, init, args.iters)
    X = as_design_matrix(x)

    out = {"schema": SCHEMA}
    out.update(versions())
    out["kind"] = "iterate"
    out["input"] = input_block(x_raw, path, shift)
    if inline:
        out["data"] = floats(x_raw)
    out["settings"] = settings_of(est, init)
    out["settings"]["iters"] = int(args.iters)
    if shift != 0.0:
        out["settings"]["init_means_unshifted"] = floats(init_raw)
    out["priors"] = rec["priors"]
    out["init"] = rec["init"]
    out["init_params"] = rec["init_params"]
    out["iterations"] = thin_iterations(rec["iterations"], args.max_iter_bytes)
    out["iterations_complete"] = len(out["iterations"]) == len(rec["iterations"])
    out["fit"] = fit_block(est)
    out.update(masks_and_probes(est, X, [float(v) - shift for v in parse_list(args.probes)]))

    if ref is not None and ref.get("kind") == "fit" and shift == 0.0:
        out["parity_with_sklearn_fit"] = parity_with_fit(ref, rec, est)
    write_json(out, args.out)
    par = out.get("parity_with_sklearn_fit")
    print("iterate: n=%d iterations=%d converged=%s lower_bound=%r valid=%d%s" % (
        x.shape[0], est.n_iter_, est.converged_, est.lower_bound_,
        int(np.sum(out["valid_components"])),
        "" if par is None else " | sklearn fit: labels_equal=%s bitwise=%s max_rel=%.3g"
        % (par["kmeans_labels_equal_nearest_centre"], par["bitwise_identical"],
           par["max_rel_diff"])))


def parity_with_fit(ref, rec, est):
    """Compare an iterate run started from a fit dump's k-means centres with
    sklearn's own fit result stored in that dump."""
    mine = fit_block(est)
    theirs = ref["fit"]
    keys = ["weights", "means", "covariances", "weight_concentration_a",
            "weight_concentration_b", "mean_precision", "degrees_of_freedom"]
    bitwise = all(mine[k] == theirs[k] for k in keys)
    bitwise = bitwise and mine["lower_bound"] == theirs["lower_bound"]
    bitwise = bitwise and params_of(est)["P"] == ref["fit_params"]["P"]
    same_iter = (mine["n_iter"] == theirs["n_iter"] and mine["converged"] == theirs["converged"])
    worst = max(max_rel(mine[k], theirs[k]) for k in keys)
    worst = max(worst, max_rel([mine["lower_bound"]], [theirs["lower_bound"]]))
    return {
        "kmeans_labels_equal_nearest_centre": ref["kmeans"]["nearest_centre_mismatches"] == 0,
        "nearest_centre_mismatches": ref["kmeans"]["nearest_centre_mismatches"],
        "init_stats_identical": rec["init"] == ref["init"],
        "n_iter_and_converged_equal": bool(same_iter),
        "bitwise_identical": bool(bitwise and same_iter),
        "max_rel_diff": worst,
        "sklearn_fit": theirs,
    }


# ---------------------------------------------------------------------------
# selfcheck: independent numpy implementation of VGM_SPEC sections 2-7
# ---------------------------------------------------------------------------

class SpecVGM:
    """Straight transcription of VGM_SPEC sections 2-7 (no scikit-learn)."""

    def __init__(self, x):
        from scipy.special import betaln, digamma, gammaln
        self.digamma, self.gammaln, self.betaln = digamma, gammaln, betaln
        self.x = x
        n = x.shape[0]
        # section 2: priors
        self.alpha0, self.beta0, self.nu0 = ALPHA0, 1.0, 1.0
        self.m0 = math.fsum(x) / n
        self.psi0 = math.fsum((x - self.m0) ** 2) / (n - 1)

    def sums(self, resp, shift):
        """Shifted sums of section 5.1: R, T1, T2 around c_k = shift[k]."""
        d = self.x[:, None] - shift[None, :]
        R = resp.sum(axis=0)
        T1 = (resp * d).sum(axis=0)
        T2 = (resp * d * d).sum(axis=0)
        return R, T1, T2

    def m_step(self, R, T1, T2, c):
        N = R + 10 * EPS
        xbar = (T1 + c * R) / N
        delta = xbar - c
        D = np.maximum(T2 - 2 * delta * T1 + delta * delta * R, 0.0)
        S = D / N + REG_COVAR
        tail = np.zeros(K)
        acc = 0.0
        for k in range(K - 1, 0, -1):       # b_k: tail sum from j = K-1 downwards
            acc += N[k]
            tail[k - 1] = acc
        a = 1.0 + N
        b = self.alpha0 + tail
        beta = self.beta0 + N
        m = (self.beta0 * self.m0 + N * xbar) / beta
        nu = self.nu0 + N
        C = (self.psi0 + N * S + (N * self.beta0 / beta) * (xbar - self.m0) ** 2) / nu
        P = 1.0 / np.sqrt(C)
        self.last_S1, self.last_D = T1 + c * R, D
        return {"a": a, "b": b, "beta": beta, "m": m, "nu": nu, "C": C, "P": P}

    def log_resp(self, th, x=None):
        x = self.x if x is None else x
        dg = self.digamma
        ab = dg(th["a"] + th["b"])
        inner = dg(th["b"]) - ab
        elnpi = dg(th["a"]) - ab + np.concatenate(([0.0], np.cumsum(inner)[:-1]))
        const = (np.log(th["P"]) - 0.5 * np.log(th["nu"])
                 + 0.5 * (math.log(2.0) + dg(th["nu"] / 2) - 1.0 / th["beta"]) + elnpi)
        y = x[:, None] * th["P"][None, :] - th["m"][None, :] * th["P"][None, :]
        w = -0.5 * (math.log(2 * math.pi) + y * y) + const[None, :]
        M = w.max(axis=1, keepdims=True)
        L = M + np.log(np.exp(w - M).sum(axis=1, keepdims=True))
        return w - L, float(np.mean(L))

    def bound(self, th, H):
        nu, C = th["nu"], th["C"]
        terms = (self.gammaln(nu / 2) - (nu / 2) * np.log(nu * C / 2)
                 + self.betaln(th["a"], th["b"]) - 0.5 * np.log(th["beta"]))
        return float(-H + np.sum(terms))

    @staticmethod
    def weights(th):
        s = th["a"] + th["b"]
        wt = th["a"] / s * np.concatenate(([1.0], np.cumprod(th["b"] / s)[:-1]))
        return wt / wt.sum()


def cmd_selfcheck(args):
    with open(args.fixture) as f:
        fx = json.load(f)
    if "data" in fx:
        x_raw = np.array(fx["data"], dtype=np.float64)
    else:
        path = fx["input"]["path"]
        full = path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)
        x_raw, _, _ = load_values(full, args.column or guess_column(full))
    shift = fx["input"].get("shift", 0.0)
    x = x_raw - shift if shift != 0.0 else x_raw
    init = np.array(fx["settings"]["init_means"], dtype=np.float64)

    vgm = SpecVGM(x)
    diffs = {}

    def note(name, mine, ref):
        diffs[name] = max(diffs.get(name, 0.0), max_rel(mine, ref))

    pr = fx["priors"]
    note("priors", [vgm.m0, vgm.psi0], [pr["m0"], pr["psi0"]])
    labels = nearest_assignment(x, init)
    resp = one_hot(labels)
    c = init.copy()                     # section 5.1: k-means centres as shift
    R, T1, T2 = vgm.sums(resp, c)
    th = vgm.m_step(R, T1, T2, c)
    note("init.R", R, fx["init"]["R"])
    note("init.S1", vgm.last_S1, fx["init"]["S1"])
    note("init.D", vgm.last_D, fx["init"]["D"])
    for key in th:
        note("init_params." + key, th[key], fx["init_params"][key])

    stored = {it["t"]: it for it in fx["iterations"]}
    n_iter = fx["fit"]["n_iter"]
    lb_prev = -np.inf
    converged = False
    for t in range(1, n_iter + 1):
        log_r, lpn = vgm.log_resp(th)
        r = np.exp(log_r)
        H = float(np.sum(r * log_r))
        c = th["m"].copy()              # section 5.1: shift = m_k of this E-step
        R, T1, T2 = vgm.sums(r, c)
        th = vgm.m_step(R, T1, T2, c)
        lb = vgm.bound(th, H)
        converged = abs(lb - lb_prev) < fx["settings"]["tol"]
        lb_prev = lb
        if t in stored:
            it = stored[t]
            for key in th:
                note("params." + key, th[key], it["params"][key])
            note("stats.R", R, it["stats"]["R"])
            note("stats.S1", vgm.last_S1, it["stats"]["S1"])
            note("stats.D", vgm.last_D, it["stats"]["D"])
            note("H", [H], [it["entropy_sum_r_log_r"]])
            note("lower_bound", [lb], [it["lower_bound"]])
            note("log_prob_norm", [lpn], [it["log_prob_norm"]])
    fit = fx["fit"]
    note("final_weights", vgm.weights(th), fit["weights"])
    note("final_means", th["m"], fit["means"])
    note("final_covariances", th["C"], fit["covariances"])
    note("final_lower_bound", [lb_prev], [fit["lower_bound"]])
    probes = np.array([p["x"] for p in fx["probes"]])
    log_p, _ = vgm.log_resp(th, probes)
    prob_abs = float(np.max(np.abs(np.exp(log_p) - np.array([p["predict_proba"] for p in fx["probes"]]))))
    valid_ok = list(vgm.weights(th) > VALID_WEIGHT) == fx["valid_components"]
    conv_ok = converged == fit["converged"]

    worst = max(diffs.values())
    print("%s: n=%d iterations=%d" % (os.path.basename(args.fixture), x.shape[0], n_iter))
    for name in sorted(diffs):
        print("  %-20s max rel diff %.3g" % (name, diffs[name]))
    print("  %-20s max abs diff %.3g" % ("predict_proba", prob_abs))
    print("  valid mask %s, converged flag %s" % ("same" if valid_ok else "DIFFERENT",
                                                  "same" if conv_ok else "DIFFERENT"))
    print("  worst relative difference: %.3g (threshold %.3g)" % (worst, args.threshold))
    ok = worst <= args.threshold and valid_ok and conv_ok
    return 0 if ok else 1


def guess_column(path):
    if path.endswith(".csv"):
        with open(path, newline="") as f:
            header = next(csv.reader(f))
        return header[0]
    return None


# ---------------------------------------------------------------------------
# gen-data
# ---------------------------------------------------------------------------

def mixture_sample(rng, n, weights, means, sds):
    comp = rng.choice(len(weights), size=n, p=weights)
    return rng.normal(np.asarray(means)[comp], np.asarray(sds)[comp])


def write_csv(path, header, x):
    with open(path, "w") as f:
        f.write(header + "\n")
        for v in x:
            f.write(repr(float(v)) + "\n")
    back, _, _ = load_values(path, header)
    assert np.array_equal(back, x), "CSV does not round-trip"


def cmd_gen_data(args):
    os.makedirs(args.outdir, exist_ok=True)
    # three_mode: weights .5/.3/.2, means -5/2/10, sd 1/.5/2, PCG64(2026)
    rng = np.random.Generator(np.random.PCG64(2026))
    x = mixture_sample(rng, 20000, [0.5, 0.3, 0.2], [-5.0, 2.0, 10.0], [1.0, 0.5, 2.0])
    write_csv(os.path.join(args.outdir, "three_mode.csv"), "x", x)
    # offset: 1e6 + 3 narrow modes (offsets -0.5/0/0.7, sd .05/.1/.2), PCG64(2027)
    rng = np.random.Generator(np.random.PCG64(2027))
    x = 1e6 + mixture_sample(rng, 20000, [0.3, 0.4, 0.3], [-0.5, 0.0, 0.7], [0.05, 0.1, 0.2])
    write_csv(os.path.join(args.outdir, "offset.csv"), "x", x)
    print("wrote three_mode.csv and offset.csv to %s" % args.outdir)


# ---------------------------------------------------------------------------

def parse_list(text):
    if not text:
        return []
    return [float(v) for v in text.split(",") if v.strip()]


def write_json(obj, path):
    text = json.dumps(obj, indent=1, allow_nan=False)
    if path in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        with open(path, "w") as f:
            f.write(text + "\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fit", help="fit sklearn and dump everything (VGM_SPEC 11)")
    f.add_argument("--input", required=True, help="CSV, .npy or builtin:NAME")
    f.add_argument("--column", default="Amount", help="CSV column (default Amount)")
    f.add_argument("--seed", type=int, default=42, help="random_state (default 42)")
    f.add_argument("--probes", default="", help="extra probe values, comma separated")
    f.add_argument("--out", default="ref.json")
    f.set_defaults(func=cmd_fit)

    it = sub.add_parser("iterate", help="sklearn EM from hard nearest-mean init")
    it.add_argument("--input", required=True, help="CSV, .npy or builtin:NAME")
    it.add_argument("--column", default="Amount")
    g = it.add_mutually_exclusive_group(required=True)
    g.add_argument("--init-means", help="K comma-separated initial means")
    g.add_argument("--init-json", help="fit dump (k-means centres) or iterate dump")
    it.add_argument("--iters", type=int, default=MAX_ITER, help="max_iter (default 100)")
    it.add_argument("--shift", default="0",
                    help="subtract this constant (or 'mean') from data and init means")
    it.add_argument("--probes", default="", help="extra probe values (unshifted)")
    it.add_argument("--max-iter-bytes", type=int, default=1_500_000,
                    help="keep all iterations if they serialise below this size")
    it.add_argument("--out", required=True)
    it.set_defaults(func=cmd_iterate)

    s = sub.add_parser("selfcheck", help="numpy spec implementation vs a fixture")
    s.add_argument("fixture")
    s.add_argument("--column", default=None)
    s.add_argument("--threshold", type=float, default=1e-9)
    s.set_defaults(func=cmd_selfcheck)

    d = sub.add_parser("gen-data", help="write the synthetic CSV data sets")
    d.add_argument("--outdir", required=True)
    d.set_defaults(func=cmd_gen_data)

    args = p.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
