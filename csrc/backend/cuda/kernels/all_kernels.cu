// Every CUDA kernel of glmlx in one translation unit: nvcc -fatbin compiles
// one source into the one fatbin backend/cuda/module.cpp loads.
#include "backend/cuda/kernels/gaussian_cd.cu"
#include "backend/cuda/kernels/soft_threshold.cu"
