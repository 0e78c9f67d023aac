#include "solver/glm_common.h"

#include <memory>
#include <system_error>

#include "cpu/blas.h"
#include "cpu/cores.h"

namespace glmlx::detail {

std::unique_ptr<PairTeam> path_team(const GlmPathSettings& s, int64_t n, int64_t p) {
  // Whether the loops split in two halves depends on the sizes alone (or the
  // caller's path_threads), so the sums do not change with the cores or load.
  const bool wanted = s.path_threads != 0 ? s.path_threads >= 2
                                          : n >= 4000 || (n >= RowOps::kMinSplitRows && n * p >= 4000000);
  if (!wanted) {
    return nullptr;
  }
  // With one core, or no core free at the start (another process busy on it) the caller
  // runs both halves of each loop itself: a helper would share a core and
  // be waited for; the halves keep the two-thread path's sums, bit for bit,
  // whatever the load.
  if (s.path_threads == 0 && (usable_cores() < 2 || blas::free_cores() < 2)) {
    return std::make_unique<PairTeam>(/*with_helper=*/false);
  }
  try {
    return std::make_unique<PairTeam>();
  } catch (const std::system_error&) {
    return std::make_unique<PairTeam>(/*with_helper=*/false);  // no second thread to be had
  }
}

} // namespace glmlx::detail
