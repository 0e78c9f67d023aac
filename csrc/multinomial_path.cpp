// glmnet's multinomial path (ungrouped and grouped): not written yet; the
// Python layer does not offer family="multinomial" until it is.
#include <stdexcept>

#include "glm_common.h"

namespace glmlx::detail {

GlmPathResult multinomial_path(const HostMatrix&, const double*, const double*, const double*, const int64_t*,
                               int64_t, const uint8_t*, const double*, const double*, const double*,
                               const double*, int64_t, const GlmPathSettings&) {
  throw std::invalid_argument("[glmlx.glm_path] the multinomial family is not available yet");
}

} // namespace glmlx::detail
