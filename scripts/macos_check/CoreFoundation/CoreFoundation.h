// Stand-in for the macOS SDK's CoreFoundation header (the zig compile check has no SDK frameworks):
// what metal-cpp, included by MLX's Metal device header (csrc/backend/metal), uses of it.
#pragma once
typedef double CFTimeInterval;
typedef const void* CFTypeRef;
