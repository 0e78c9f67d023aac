// Stand-in for the macOS SDK's IOSurface header: the type metal-cpp's MTLTexture.hpp names.
#pragma once
typedef struct __IOSurface* IOSurfaceRef;
