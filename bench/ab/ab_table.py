"""Summarize an ab13.sh output dir into a markdown table: base runs, new runs, new/base (medians of the runs)."""
import json, sys, os, statistics as st
D = sys.argv[1]
def rows(kind, tag):
    p = os.path.join(D, f"{kind}_{tag}.json")
    if not os.path.exists(p): return {}
    d = json.load(open(p))
    out = {}
    if kind == "glmnet":
        for r in d["rows"]: out[("gaussian path", r["size"])] = r["glmlx"]
    elif kind in ("glm", "mn"):
        for r in d["rows"]: out[(f"{r['family']} path", r["size"])] = r["glmlx"]
    elif kind == "cv":
        for r in d: out[("gaussian 10-fold CV", r["size"])] = r["glmlx"]
    return out
def fmt(t): return f"{t*1e3:.1f} ms" if t < 1 else f"{t:.3f} s"
tags = sorted({f.split("_")[1].split(".")[0] for f in os.listdir(D) if f.endswith(".json")})
base = [t for t in tags if t.startswith("base")]; new = [t for t in tags if t.startswith("new")]
print("| problem | size | base (runs) | new (runs) | new/base | spread of base |")
print("|---|---|---|---|---|---|")
for kind in ("glmnet", "glm", "mn", "cv"):
    B = [rows(kind, t) for t in base]; N = [rows(kind, t) for t in new]
    for key in (B[0] if B else {}):
        b = [r[key] for r in B if key in r]; n = [r[key] for r in N if key in r]
        if not b or not n: continue
        ratio = st.median(n) / st.median(b)
        spread = max(b) / min(b) - 1
        print(f"| {key[0]} | {key[1]} | {', '.join(map(fmt, b))} | {', '.join(map(fmt, n))} | {ratio:.2f} | {spread*100:.0f}% |")
