#!/usr/bin/env bash
# Regenerate the R glmnet parity fixtures (needs Rscript + glmnet, and numpy):
#   scripts/make_fixtures.sh          gaussian cases       -> tests/fixtures/glmnet
#   scripts/make_fixtures.sh glm      binomial, poisson, multinomial, mgaussian -> tests/fixtures/glmnet_glm
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-gaussian}" in
  gaussian) script=scripts/glmnet_fixtures.R out=tests/fixtures/glmnet ;;
  glm) script=scripts/glmnet_glm_fixtures.R out=tests/fixtures/glmnet_glm ;;
  *) echo "usage: $0 [gaussian|glm]" >&2; exit 2 ;;
esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
Rscript "$script" "$tmp"
python3 scripts/pack_fixtures.py "$tmp" "$out"
