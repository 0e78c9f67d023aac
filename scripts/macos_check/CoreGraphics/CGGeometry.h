// Stand-in for the macOS SDK's CoreGraphics geometry header: what metal-cpp uses of it.
#pragma once
typedef double CGFloat;
struct CGSize {
  CGFloat width, height;
};
typedef struct CGSize CGSize;
