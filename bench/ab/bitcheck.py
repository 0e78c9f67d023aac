"""Dump many fits' outputs to an npz (argv[1]); compare two dumps with --compare A B."""
import sys, numpy as np
if sys.argv[1] == "--compare":
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    bad = [k for k in a.files if k not in b.files or a[k].shape != b[k].shape or not np.array_equal(a[k], b[k], equal_nan=True)]
    missing = [k for k in b.files if k not in a.files]
    print(f"{len(a.files)} arrays; differ: {len(bad)}; missing: {len(missing)}")
    for k in bad[:30]:
        x, y = a[k], b.get(k) if k in b.files else None
        print("  DIFF", k, None if y is None else (x.shape, y.shape, np.max(np.abs(x - y)) if x.shape == y.shape and x.dtype.kind == 'f' else ''))
    sys.exit(1 if bad or missing else 0)
import glmlx
out = {}
def put(name, fit):
    for attr in ("_beta_np", "_a0_np", "_lam_np", "dev_ratio", "npasses", "df", "nulldev", "jerr"):
        v = getattr(fit, attr, None)
        if v is None: continue
        if isinstance(v, list): v = np.stack([np.asarray(t) for t in v])
        out[f"{name}.{attr}"] = np.asarray(v)
rng = np.random.default_rng(7)
def data(n, p, seed):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p)); b = np.zeros(p); b[: max(1, p // 8)] = r.standard_normal(max(1, p // 8))
    return X, X @ b, r
cases = 0
for (n, p) in [(60, 15), (200, 40), (80, 600), (500, 30)]:
    X, eta, r = data(n, p, n * 31 + p)
    w = r.uniform(0.5, 2, n); off = 0.3 * r.standard_normal(n)
    yg = eta + r.standard_normal(n)
    yb = (r.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    yp = r.poisson(np.exp(np.clip(eta * 0.5, -3, 3))).astype(float)
    ym = np.argmax(np.stack([eta, -eta, 0.5 * eta + r.standard_normal(n)], 1) + r.standard_normal((n, 3)), 1)
    Ymg = np.stack([eta + r.standard_normal(n), -eta + r.standard_normal(n)], 1)
    for alpha in (1.0, 0.4):
        for kw in ({}, {"weights": w}, {"fit_intercept": False}, {"standardize": False},
                   {"lower_limits": -0.3, "upper_limits": 0.5}, {"nlambda": 30, "lambda_min_ratio": 0.001}):
            tag = f"{n}x{p}.a{alpha}." + ",".join(f"{k}" for k in kw)
            for fam, y in (("gaussian", yg), ("binomial", yb), ("poisson", yp), ("multinomial", ym), ("mgaussian", Ymg)):
                extra = {}
                if fam == "gaussian":
                    for tg in ("covariance", "naive"):
                        put(f"{fam}.{tg}.{tag}", glmlx.glmnet(X, y, family=fam, alpha=alpha, type_gaussian=tg, **kw, **extra)); cases += 1
                    continue
                if fam == "multinomial":
                    for tm in ("ungrouped", "grouped"):
                        put(f"{fam}.{tm}.{tag}", glmlx.glmnet(X, y, family=fam, alpha=alpha, type_multinomial=tm, **kw)); cases += 1
                    continue
                put(f"{fam}.{tag}", glmlx.glmnet(X, y, family=fam, alpha=alpha, **kw)); cases += 1
            if kw == {} and alpha == 1.0:
                for fam, y in (("binomial", yb), ("poisson", yp)):
                    put(f"{fam}.offset.{tag}", glmlx.glmnet(X, y, family=fam, offset=off)); cases += 1
                for fam, y in (("gaussian", yg), ("binomial", yb), ("poisson", yp), ("multinomial", ym), ("mgaussian", Ymg)):
                    cv = glmlx.cv_glmnet(X, y, family=fam, nfolds=4, foldid=np.arange(n) % 4 + 1)
                    out[f"cv.{fam}.{tag}.cvm"] = cv._cvm_np; out[f"cv.{fam}.{tag}.cvsd"] = np.asarray(cv.cvsd); cases += 1
                    put(f"cv.{fam}.{tag}.fit", cv.fit)
# larger n (two-thread row loops), modified Newton, float32, user lambdas, pmax/dfmax
for (n, p) in [(6000, 40), (300, 2000)]:
    X, eta, r = data(n, p, 99 + p)
    yb = (r.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    yp = r.poisson(np.exp(np.clip(eta * 0.5, -3, 3))).astype(float)
    yg = eta + r.standard_normal(n)
    ym = np.argmax(np.stack([eta, -eta, 0.5 * eta + r.standard_normal(n)], 1) + r.standard_normal((n, 3)), 1)
    tag = f"{n}x{p}"
    for fam, y in (("binomial", yb), ("poisson", yp), ("multinomial", ym), ("gaussian", yg)):
        put(f"big.{fam}.{tag}", glmlx.glmnet(X, y, family=fam, nlambda=40)); cases += 1
        put(f"f32.{fam}.{tag}", glmlx.glmnet(X, y, family=fam, nlambda=40, dtype=__import__("mlx.core").core.float32)); cases += 1
        put(f"pmax.{fam}.{tag}", glmlx.glmnet(X, y, family=fam, nlambda=40, pmax=5)); cases += 1
        put(f"dfmax.{fam}.{tag}", glmlx.glmnet(X, y, family=fam, nlambda=40, dfmax=3)); cases += 1
        put(f"user.{fam}.{tag}", glmlx.glmnet(X, y, family=fam, lambdas=[0.5, 0.2, 0.1, 0.05, 0.01])); cases += 1
    put(f"mn.binomial.{tag}", glmlx.glmnet(X, yb, family="binomial", nlambda=40, type_logistic="modified.Newton")); cases += 1
    put(f"mn2.binomial.{tag}", glmlx.glmnet(X, yb, family="binomial", nlambda=40, type_logistic="modified.Newton", standardize=False)); cases += 1
    put(f"gm.{tag}", glmlx.glmnet(X, ym, family="multinomial", nlambda=40, type_multinomial="grouped")); cases += 1
    put(f"mg.{tag}", glmlx.glmnet(X, np.stack([yg, yp], 1), family="mgaussian", nlambda=40)); cases += 1
np.savez(sys.argv[1], **out)
print(cases, "fits;", len(out), "arrays ->", sys.argv[1])
