#!/usr/bin/env bash
# A/B: base ($BASE_TREE, default /work/wt-base) vs new ($NEW_TREE, default /work/wt-new), alternated:
# base, new, base, new. Usage: [BASE_TREE=... NEW_TREE=... ROUNDS="1 2"] ab13.sh OUTDIR
set -u
OUT=${1:-/tmp/ab13}; mkdir -p $OUT
run() {  # tree tag
  local T=$1 tag=$2
  cd ${GLMLX_ROOT:-/work/main}
  export PYTHONPATH=/work/tools/noeditable:$T/python
  python bench/bench_glmnet.py --sizes 2000x100,10000x100,20000x1000,2000x10000 --no-r --no-adelie --no-sklearn --json $OUT/glmnet_$tag.json > $OUT/glmnet_$tag.txt 2>&1
  python bench/bench_glm.py --sizes 5000x200,20000x1000 --no-r --no-adelie --no-sklearn --json $OUT/glm_$tag.json > $OUT/glm_$tag.txt 2>&1
  python bench/bench_glm.py --families multinomial,mgaussian --sizes 5000x200 --no-r --no-adelie --no-sklearn --json $OUT/mn_$tag.json > $OUT/mn_$tag.txt 2>&1
  python bench/bench_cv.py --sizes 5000x200,2000x10000 --no-r --no-sklearn --json $OUT/cv_$tag.json > $OUT/cv_$tag.txt 2>&1
}
for round in ${ROUNDS:-1 2}; do
  run ${BASE_TREE:-/work/wt-base} base$round
  run ${NEW_TREE:-/work/wt-new} new$round
done
echo done > $OUT/DONE
