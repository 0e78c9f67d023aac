import time, numpy as np, glmlx, statistics as st
rng = np.random.default_rng(7)
n, p = 2000, 100
X = rng.standard_normal((n, p)); b = np.zeros(p); b[:10] = rng.standard_normal(10)
y = X @ b + 0.5 * rng.standard_normal(n)
for _ in range(50): glmlx.glmnet(X, y)
ts = []
for _ in range(300):
    t = time.perf_counter(); glmlx.glmnet(X, y); ts.append(time.perf_counter() - t)
print(f"{st.median(ts)*1e3:.3f}")
