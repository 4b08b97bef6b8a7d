// The BLAS libtorch itself calls (OpenBLAS through Debian's libblas.so.3), for the shim's kernels that split matrix
// products among libtorch's threads themselves. Weak, so the shim still loads against a libtorch whose BLAS is linked
// in privately (pytorch.org's MKL builds); callers check blas_available<scalar_t>() and take tensor ops otherwise.
#pragma once

#include <type_traits>

extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                       const float* beta, float* c, const int* ldc) __attribute__((weak));
extern "C" void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
                       const double* beta, double* c, const int* ldc) __attribute__((weak));

namespace tz {

template <typename scalar_t>
bool blas_available() {
  if constexpr (std::is_same_v<scalar_t, float>) return sgemm_ != nullptr;
  else return dgemm_ != nullptr;
}

// Row-major C (m × n, row stride ldc) = alpha · op(A) · op(B) + beta · C, op transposing when asked; A is m × k (or
// k × m when transposed) with row stride lda, likewise B. Column-major BLAS sees the transposed problem
// Cᵀ = op(B)ᵀ · op(A)ᵀ. Called inside an OpenMP parallel region, OpenBLAS runs it on the calling thread alone.
template <typename scalar_t>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, scalar_t alpha, const scalar_t* a, int64_t lda,
          const scalar_t* b, int64_t ldb, scalar_t* c, int64_t ldc, scalar_t beta = 0) {
  const char tA = ta ? 'T' : 'N', tB = tb ? 'T' : 'N';
  const int M = static_cast<int>(m), N = static_cast<int>(n), K = static_cast<int>(k);
  const int LDA = static_cast<int>(lda), LDB = static_cast<int>(ldb), LDC = static_cast<int>(ldc);
  if constexpr (std::is_same_v<scalar_t, float>)
    sgemm_(&tB, &tA, &N, &M, &K, &alpha, b, &LDB, a, &LDA, &beta, c, &LDC);
  else
    dgemm_(&tB, &tA, &N, &M, &K, &alpha, b, &LDB, a, &LDA, &beta, c, &LDC);
}

}  // namespace tz
