#!/usr/bin/env bash
# Regenerate tests/fixtures/glmnet_glm/*.npz (binomial, poisson, multinomial, mgaussian) from R.
exec "$(dirname "$0")/make_fixtures.sh" glm
