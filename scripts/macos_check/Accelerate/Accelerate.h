// A stand-in for <Accelerate/Accelerate.h> (absent off macOS) for the macOS
// compile check (scripts/check_macos_build.py): it declares exactly what
// glmlx calls, with the signatures of Accelerate's new BLAS/LAPACK interface
// (ACCELERATE_NEW_LAPACK: cblas_new.h and lapack.h of macOS 13.3+), where
// __LAPACK_int is int (no ACCELERATE_LAPACK_ILP64) and the Fortran routines
// take no hidden string lengths. Not for linking: it only lets the compiler
// check glmlx's calls against Accelerate's types.
#pragma once

#if !defined(ACCELERATE_NEW_LAPACK)
#error "glmlx builds against Accelerate's new LAPACK interface (ACCELERATE_NEW_LAPACK)"
#endif

#define __LAPACK_int int

#ifdef __cplusplus
extern "C" {
#endif

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };
enum CBLAS_UPLO { CblasUpper = 121, CblasLower = 122 };
typedef enum CBLAS_ORDER CBLAS_ORDER;
typedef enum CBLAS_TRANSPOSE CBLAS_TRANSPOSE;
typedef enum CBLAS_UPLO CBLAS_UPLO;

void cblas_dgemm(const enum CBLAS_ORDER ORDER, const enum CBLAS_TRANSPOSE TRANSA, const enum CBLAS_TRANSPOSE TRANSB,
                 const __LAPACK_int M, const __LAPACK_int N, const __LAPACK_int K, const double ALPHA,
                 const double* A, const __LAPACK_int LDA, const double* B, const __LAPACK_int LDB, const double BETA,
                 double* C, const __LAPACK_int LDC);
void cblas_sgemm(const enum CBLAS_ORDER ORDER, const enum CBLAS_TRANSPOSE TRANSA, const enum CBLAS_TRANSPOSE TRANSB,
                 const __LAPACK_int M, const __LAPACK_int N, const __LAPACK_int K, const float ALPHA, const float* A,
                 const __LAPACK_int LDA, const float* B, const __LAPACK_int LDB, const float BETA, float* C,
                 const __LAPACK_int LDC);
void cblas_dgemv(const enum CBLAS_ORDER ORDER, const enum CBLAS_TRANSPOSE TRANSA, const __LAPACK_int M,
                 const __LAPACK_int N, const double ALPHA, const double* A, const __LAPACK_int LDA, const double* X,
                 const __LAPACK_int INCX, const double BETA, double* Y, const __LAPACK_int INCY);
void cblas_sgemv(const enum CBLAS_ORDER ORDER, const enum CBLAS_TRANSPOSE TRANSA, const __LAPACK_int M,
                 const __LAPACK_int N, const float ALPHA, const float* A, const __LAPACK_int LDA, const float* X,
                 const __LAPACK_int INCX, const float BETA, float* Y, const __LAPACK_int INCY);
void cblas_dsyrk(const enum CBLAS_ORDER ORDER, const enum CBLAS_UPLO UPLO, const enum CBLAS_TRANSPOSE TRANS,
                 const __LAPACK_int N, const __LAPACK_int K, const double ALPHA, const double* A,
                 const __LAPACK_int LDA, const double BETA, double* C, const __LAPACK_int LDC);
void cblas_ssyrk(const enum CBLAS_ORDER ORDER, const enum CBLAS_UPLO UPLO, const enum CBLAS_TRANSPOSE TRANS,
                 const __LAPACK_int N, const __LAPACK_int K, const float ALPHA, const float* A,
                 const __LAPACK_int LDA, const float BETA, float* C, const __LAPACK_int LDC);

void dpotrf_(const char* uplo, const __LAPACK_int* n, double* a, const __LAPACK_int* lda, __LAPACK_int* info);
void spotrf_(const char* uplo, const __LAPACK_int* n, float* a, const __LAPACK_int* lda, __LAPACK_int* info);
void dpotrs_(const char* uplo, const __LAPACK_int* n, const __LAPACK_int* nrhs, const double* a,
             const __LAPACK_int* lda, double* b, const __LAPACK_int* ldb, __LAPACK_int* info);
void spotrs_(const char* uplo, const __LAPACK_int* n, const __LAPACK_int* nrhs, const float* a,
             const __LAPACK_int* lda, float* b, const __LAPACK_int* ldb, __LAPACK_int* info);
void dpocon_(const char* uplo, const __LAPACK_int* n, const double* a, const __LAPACK_int* lda, const double* anorm,
             double* rcond, double* work, __LAPACK_int* iwork, __LAPACK_int* info);
void spocon_(const char* uplo, const __LAPACK_int* n, const float* a, const __LAPACK_int* lda, const float* anorm,
             float* rcond, float* work, __LAPACK_int* iwork, __LAPACK_int* info);
void dgeqrf_(const __LAPACK_int* m, const __LAPACK_int* n, double* a, const __LAPACK_int* lda, double* tau,
             double* work, const __LAPACK_int* lwork, __LAPACK_int* info);
void sgeqrf_(const __LAPACK_int* m, const __LAPACK_int* n, float* a, const __LAPACK_int* lda, float* tau,
             float* work, const __LAPACK_int* lwork, __LAPACK_int* info);
void dormqr_(const char* side, const char* trans, const __LAPACK_int* m, const __LAPACK_int* n,
             const __LAPACK_int* k, const double* a, const __LAPACK_int* lda, const double* tau, double* c,
             const __LAPACK_int* ldc, double* work, const __LAPACK_int* lwork, __LAPACK_int* info);
void sormqr_(const char* side, const char* trans, const __LAPACK_int* m, const __LAPACK_int* n,
             const __LAPACK_int* k, const float* a, const __LAPACK_int* lda, const float* tau, float* c,
             const __LAPACK_int* ldc, float* work, const __LAPACK_int* lwork, __LAPACK_int* info);
void dgelsd_(const __LAPACK_int* m, const __LAPACK_int* n, const __LAPACK_int* nrhs, double* a,
             const __LAPACK_int* lda, double* b, const __LAPACK_int* ldb, double* s, const double* rcond,
             __LAPACK_int* rank, double* work, const __LAPACK_int* lwork, __LAPACK_int* iwork, __LAPACK_int* info);
void sgelsd_(const __LAPACK_int* m, const __LAPACK_int* n, const __LAPACK_int* nrhs, float* a,
             const __LAPACK_int* lda, float* b, const __LAPACK_int* ldb, float* s, const float* rcond,
             __LAPACK_int* rank, float* work, const __LAPACK_int* lwork, __LAPACK_int* iwork, __LAPACK_int* info);
void dtrtrs_(const char* uplo, const char* trans, const char* diag, const __LAPACK_int* n, const __LAPACK_int* nrhs,
             const double* a, const __LAPACK_int* lda, double* b, const __LAPACK_int* ldb, __LAPACK_int* info);
void strtrs_(const char* uplo, const char* trans, const char* diag, const __LAPACK_int* n, const __LAPACK_int* nrhs,
             const float* a, const __LAPACK_int* lda, float* b, const __LAPACK_int* ldb, __LAPACK_int* info);
void dtrcon_(const char* norm, const char* uplo, const char* diag, const __LAPACK_int* n, const double* a,
             const __LAPACK_int* lda, double* rcond, double* work, __LAPACK_int* iwork, __LAPACK_int* info);
void strcon_(const char* norm, const char* uplo, const char* diag, const __LAPACK_int* n, const float* a,
             const __LAPACK_int* lda, float* rcond, float* work, __LAPACK_int* iwork, __LAPACK_int* info);
void dtpqrt_(const __LAPACK_int* m, const __LAPACK_int* n, const __LAPACK_int* l, const __LAPACK_int* nb, double* a,
             const __LAPACK_int* lda, double* b, const __LAPACK_int* ldb, double* t, const __LAPACK_int* ldt,
             double* work, __LAPACK_int* info);
void stpqrt_(const __LAPACK_int* m, const __LAPACK_int* n, const __LAPACK_int* l, const __LAPACK_int* nb, float* a,
             const __LAPACK_int* lda, float* b, const __LAPACK_int* ldb, float* t, const __LAPACK_int* ldt,
             float* work, __LAPACK_int* info);
void dtpmqrt_(const char* side, const char* trans, const __LAPACK_int* m, const __LAPACK_int* n,
              const __LAPACK_int* k, const __LAPACK_int* l, const __LAPACK_int* nb, const double* v,
              const __LAPACK_int* ldv, const double* t, const __LAPACK_int* ldt, double* a, const __LAPACK_int* lda,
              double* b, const __LAPACK_int* ldb, double* work, __LAPACK_int* info);
void stpmqrt_(const char* side, const char* trans, const __LAPACK_int* m, const __LAPACK_int* n,
              const __LAPACK_int* k, const __LAPACK_int* l, const __LAPACK_int* nb, const float* v,
              const __LAPACK_int* ldv, const float* t, const __LAPACK_int* ldt, float* a, const __LAPACK_int* lda,
              float* b, const __LAPACK_int* ldb, float* work, __LAPACK_int* info);

#ifdef __cplusplus
}
#endif
