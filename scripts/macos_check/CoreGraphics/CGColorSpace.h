// Stand-in for the macOS SDK's CoreGraphics color-space header: the type metal-cpp names.
#pragma once
typedef struct CGColorSpace* CGColorSpaceRef;
