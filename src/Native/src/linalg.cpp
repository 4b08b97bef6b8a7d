// Matrix products, decompositions and the _foreach_ list ops optimizers use.
#include <dlfcn.h>

#include <algorithm>
#include <limits>

#include "common.h"

using namespace tz;

extern "C" {

tz_tensor tz_matmul(int op, tz_tensor a, tz_tensor b) {
  TZ_TRY
  switch (op) {
    case TZ_MATMUL: return wrap(at::matmul(T(a), T(b)));
    case TZ_MM: return wrap(at::mm(T(a), T(b)));
    case TZ_BMM: return wrap(at::bmm(T(a), T(b)));
    case TZ_OUTER: return wrap(at::outer(T(a), T(b)));
    case TZ_DOT: return wrap(at::dot(T(a), T(b)));
    default: fail("unknown matmul op " + std::to_string(op));
  }
  TZ_CATCH(nullptr)
}

tz_tensor tz_addmm(tz_tensor self, tz_tensor a, tz_tensor b, double beta, double alpha) {
  TZ_TRY
  return wrap(at::addmm(T(self), T(a), T(b), beta, alpha));
  TZ_CATCH(nullptr)
}

int tz_addmm_(tz_tensor self, tz_tensor a, tz_tensor b, double beta, double alpha) {
  TZ_TRY
  T(self).addmm_(T(a), T(b), beta, alpha);
  return 0;
  TZ_CATCH(-1)
}

int tz_svd(tz_tensor x, int full_matrices, tz_tensor* u, tz_tensor* s, tz_tensor* vh) {
  TZ_TRY
  auto r = at::linalg_svd(T(x), full_matrices != 0);
  *u = wrap(std::get<0>(r));
  *s = wrap(std::get<1>(r));
  *vh = wrap(std::get<2>(r));
  return 0;
  TZ_CATCH(-1)
}

int tz_eigh(tz_tensor x, int upper, tz_tensor* eigenvalues, tz_tensor* eigenvectors) {
  TZ_TRY
  const at::Tensor& a = T(x);
  // LAPACK's ssyevd reports its workspace size as a float; past 2^24 elements (n >= 2895) the size rounds down and
  // OpenBLAS rejects its own answer ("Argument 8 has illegal value"). Such matrices are decomposed in double and the
  // results returned in float32; autograd follows the conversions.
  const int64_t n = a.dim() >= 2 ? a.size(-1) : 0;
  const bool workspace_overflows = a.device().is_cpu() && a.scalar_type() == at::kFloat && 1 + 6 * n + 2 * n * n > (int64_t{1} << 24);
  auto r = workspace_overflows ? at::linalg_eigh(a.to(at::kDouble), upper ? "U" : "L") : at::linalg_eigh(a, upper ? "U" : "L");
  if (workspace_overflows) r = std::make_tuple(std::get<0>(r).to(at::kFloat), std::get<1>(r).to(at::kFloat));
  *eigenvalues = wrap(std::get<0>(r));
  *eigenvectors = wrap(std::get<1>(r));
  return 0;
  TZ_CATCH(-1)
}

int tz_qr(tz_tensor x, int complete, tz_tensor* q, tz_tensor* r) {
  TZ_TRY
  auto res = at::linalg_qr(T(x), complete ? "complete" : "reduced");
  *q = wrap(std::get<0>(res));
  *r = wrap(std::get<1>(res));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_cholesky(tz_tensor x, int upper) {
  TZ_TRY
  return wrap(at::linalg_cholesky(T(x), upper != 0));
  TZ_CATCH(nullptr)
}

tz_tensor tz_inverse(tz_tensor x) {
  TZ_TRY
  return wrap(at::linalg_inv(T(x)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_solve(tz_tensor a, tz_tensor b) {
  TZ_TRY
  return wrap(at::linalg_solve(T(a), T(b)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_matrix_norm(tz_tensor x, const char* ord, int keepdim) {
  TZ_TRY
  std::string o = ord ? ord : "fro";
  std::vector<int64_t> last{-2, -1};
  if (o == "fro" || o == "nuc") return wrap(at::linalg_matrix_norm(T(x), o, last, keepdim != 0, c10::nullopt));
  double p = o == "inf" ? INFINITY : o == "-inf" ? -INFINITY : std::stod(o);
  return wrap(at::linalg_matrix_norm(T(x), p, last, keepdim != 0, c10::nullopt));
  TZ_CATCH(nullptr)
}

tz_tensor tz_diag(tz_tensor x, int64_t diagonal) {
  TZ_TRY
  return wrap(at::diag(T(x), diagonal));
  TZ_CATCH(nullptr)
}

int tz_foreach_binary_(int op, const tz_tensor* xs, const tz_tensor* ys, int n, double alpha) {
  TZ_TRY
  auto a = list(xs, n);
  auto b = list(ys, n);
  switch (op) {
    case TZ_ADD: at::_foreach_add_(a, b, alpha); break;
    case TZ_SUB: at::_foreach_sub_(a, b, alpha); break;
    case TZ_MUL: at::_foreach_mul_(a, b); break;
    case TZ_DIV: at::_foreach_div_(a, b); break;
    case TZ_MAXIMUM: at::_foreach_maximum_(a, b); break;
    case TZ_MINIMUM: at::_foreach_minimum_(a, b); break;
    default: fail("binary op " + std::to_string(op) + " has no _foreach_ form");
  }
  return 0;
  TZ_CATCH(-1)
}

int tz_foreach_scalar_(int op, const tz_tensor* xs, int n, double scalar) {
  TZ_TRY
  auto a = list(xs, n);
  switch (op) {
    case TZ_ADD: at::_foreach_add_(a, scalar); break;
    case TZ_SUB: at::_foreach_sub_(a, scalar); break;
    case TZ_MUL: at::_foreach_mul_(a, scalar); break;
    case TZ_DIV: at::_foreach_div_(a, scalar); break;
    case TZ_MAXIMUM:
      for (auto& t : a) t.clamp_min_(scalar);
      break;
    case TZ_MINIMUM:
      for (auto& t : a) t.clamp_max_(scalar);
      break;
    default: fail("binary op " + std::to_string(op) + " has no _foreach_ scalar form");
  }
  return 0;
  TZ_CATCH(-1)
}

int tz_foreach_unary_(int op, const tz_tensor* xs, int n) {
  TZ_TRY
  auto a = list(xs, n);
  switch (op) {
    case TZ_SQRT: at::_foreach_sqrt_(a); break;
    case TZ_EXP: at::_foreach_exp_(a); break;
    case TZ_ABS: at::_foreach_abs_(a); break;
    case TZ_NEG: at::_foreach_neg_(a); break;
    case TZ_ZERO: at::_foreach_zero_(a); break;
    case TZ_RECIPROCAL: at::_foreach_reciprocal_(a); break;
    case TZ_LOG: at::_foreach_log_(a); break;
    case TZ_SIGMOID: at::_foreach_sigmoid_(a); break;
    default: fail("unary op " + std::to_string(op) + " has no _foreach_ form");
  }
  return 0;
  TZ_CATCH(-1)
}

int tz_foreach_addc_(int kind, const tz_tensor* xs, const tz_tensor* t1, const tz_tensor* t2, int n, double value) {
  TZ_TRY
  auto a = list(xs, n);
  auto b = list(t1, n);
  auto c = list(t2, n);
  if (kind == 0)
    at::_foreach_addcmul_(a, b, c, value);
  else
    at::_foreach_addcdiv_(a, b, c, value);
  return 0;
  TZ_CATCH(-1)
}

int tz_foreach_norm(const tz_tensor* xs, int n, double p, tz_tensor* out) {
  TZ_TRY
  auto r = at::_foreach_norm(list(xs, n), p);
  for (size_t i = 0; i < r.size(); ++i) out[i] = wrap(r[i]);
  return 0;
  TZ_CATCH(-1)
}

}  // extern "C"

// ---- x·xᵀ through BLAS syrk ----------------------------------------------------------------------------------------
// A Gram matrix is symmetric, and BLAS's syrk computes one triangle of it with half the multiply-adds of the general
// product. The Newton–Schulz iterations of the Muon family spend about half their GEMM work on X·Xᵀ; with OpenBLAS at
// two threads a 768×3072 Gram took 54 ms against 94 ms for at::mm, and its triangle held the same values bit for bit.
// The BLAS is found at run time in the process (libtorch loads it), so a libtorch without one, or with its BLAS linked
// in privately, takes at::mm as before.
namespace {

enum { kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112, kCblasUpper = 121 };
using syrk_f32 = void (*)(int, int, int, int, int, float, const float*, int, float, float*, int);
using syrk_f64 = void (*)(int, int, int, int, int, double, const double*, int, double, double*, int);

template <class Fn>
Fn find_blas(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

// Copies the upper triangle of a row-major n×n matrix onto its lower one, in tiles so that both stay in cache.
template <class S>
void mirror_upper(S* c, int64_t n) {
  constexpr int64_t tile = 64;
  for (int64_t i0 = 0; i0 < n; i0 += tile)
    for (int64_t j0 = 0; j0 <= i0; j0 += tile)
      for (int64_t i = i0; i < std::min(i0 + tile, n); ++i)
        for (int64_t j = j0; j < std::min({j0 + tile, i, n}); ++j) c[i * n + j] = c[j * n + i];
}

template <class S, class Fn>
bool syrk_gram(const at::Tensor& a, at::Tensor& out, Fn syrk) {
  if (syrk == nullptr) return false;
  const int64_t n = a.size(0), k = a.size(1);
  // Row-major with unit column stride (x·xᵀ, NoTrans), or the transpose of a row-major matrix (yᵀ·y, Trans); any
  // other layout is copied first (n·k elements against the product's n²·k multiply-adds).
  const auto rows_of = [&](const at::Tensor& t) { return t.stride(1) == 1 && t.stride(0) >= std::max<int64_t>(1, k); };
  const bool cols = !rows_of(a) && a.stride(0) == 1 && a.stride(1) >= std::max<int64_t>(1, n);
  const at::Tensor x = rows_of(a) || cols ? a : a.contiguous();
  const bool rows = !cols;
  const int64_t ld = rows ? x.stride(0) : x.stride(1);
  const int64_t limit = std::numeric_limits<int>::max();
  if (n > limit || k > limit || ld > limit) return false;
  out = at::empty({n, n}, x.options());
  syrk(kCblasRowMajor, kCblasUpper, rows ? kCblasNoTrans : kCblasTrans, static_cast<int>(n), static_cast<int>(k), S(1),
       x.data_ptr<S>(), static_cast<int>(ld), S(0), out.data_ptr<S>(), static_cast<int>(n));
  mirror_upper(out.data_ptr<S>(), n);
  return true;
}

}  // namespace

// OpenBLAS picks its kernels from the CPU model at load time; the name says which it runs ("SkylakeX", "Haswell", or
// "Prescott" when it did not recognise the model and fell back to SSE3). Null when the process's BLAS is not OpenBLAS.
extern "C" const char* tz_blas_core(void) {
  using corename_fn = char* (*)();
  static const auto corename = find_blas<corename_fn>("openblas_get_corename");
  return corename == nullptr ? nullptr : corename();
}

extern "C" tz_tensor tz_gram(tz_tensor x) {
  TZ_TRY
  const at::Tensor& a = T(x);
  if (a.dim() != 2) fail("gram needs a matrix, got " + std::to_string(a.dim()) + " dimensions");
  static const auto f32 = find_blas<syrk_f32>("cblas_ssyrk");
  static const auto f64 = find_blas<syrk_f64>("cblas_dsyrk");
  const bool plain = a.device().is_cpu() && a.layout() == at::kStrided && !a.is_conj() && !a.is_neg() &&
                     !(a.requires_grad() && at::GradMode::is_enabled()) && a.size(0) > 0 && a.size(1) > 0;
  at::Tensor out;
  if (plain && a.scalar_type() == at::kFloat && syrk_gram<float>(a, out, f32)) return wrap(out);
  if (plain && a.scalar_type() == at::kDouble && syrk_gram<double>(a, out, f64)) return wrap(out);
  return wrap(at::mm(a, a.t()));
  TZ_CATCH(nullptr)
}
