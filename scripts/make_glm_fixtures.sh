#!/usr/bin/env bash
# Regenerate tests/fixtures/glmnet_glm/*.npz (binomial, poisson, multinomial,
# mgaussian) from R (needs Rscript + glmnet, and numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
Rscript scripts/glmnet_glm_fixtures.R "$tmp"
python3 scripts/pack_fixtures.py "$tmp" tests/fixtures/glmnet_glm
