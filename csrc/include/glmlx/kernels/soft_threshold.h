// The soft-threshold now lives with the rest of the solvers' scalar math in
// device_math.h; this name stays for code that included it.
#pragma once

#include "glmlx/kernels/device_math.h"
