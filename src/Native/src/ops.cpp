// Elementwise math, reductions, shape manipulation and indexing.
#include <ATen/core/grad_mode.h>

#include <cmath>

#include "common.h"

using namespace tz;

namespace {

// C# passes every scalar as a double. One that holds a whole number becomes an integral Scalar, as a
// Python int would, so integer tensors keep their dtype (t + 2 stays int64, t.add_(2) works) and accept
// an alpha; a fractional value still promotes (t + 0.5 is float), and floating tensors are unaffected.
bool integral(c10::ScalarType t) { return c10::isIntegralType(t, /*includeBool=*/true); }

at::Scalar scalar_for(c10::ScalarType t, double v) {
  if (integral(t) && std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.0e18)
    return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}

at::Scalar scalar_for(const at::Tensor& t, double v) { return scalar_for(t.scalar_type(), v); }

// alpha scales b: it must be integral when the result of a op b is.
at::Scalar alpha_for(const at::Tensor& a, const at::Tensor& b, double alpha) {
  // The common cases skip result_type, which costs about a fifth of a tiny add_: an integral 1 suits every
  // dtype, and matching dtypes are their own result type.
  if (alpha == 1.0) return at::Scalar(static_cast<int64_t>(1));
  if (a.scalar_type() == b.scalar_type()) return scalar_for(a.scalar_type(), alpha);
  return scalar_for(at::result_type(a, b), alpha);
}

at::Tensor unary(int op, const at::Tensor& x) {
  switch (op) {
    case TZ_NEG: return at::neg(x);
    case TZ_ABS: return at::abs(x);
    case TZ_SIGN: return at::sign(x);
    case TZ_SQRT: return at::sqrt(x);
    case TZ_RSQRT: return at::rsqrt(x);
    case TZ_EXP: return at::exp(x);
    case TZ_LOG: return at::log(x);
    case TZ_SIN: return at::sin(x);
    case TZ_COS: return at::cos(x);
    case TZ_TANH: return at::tanh(x);
    case TZ_SIGMOID: return at::sigmoid(x);
    case TZ_RELU: return at::relu(x);
    case TZ_GELU: return at::gelu(x);
    case TZ_GELU_TANH: return at::gelu(x, "tanh");
    case TZ_SILU: return at::silu(x);
    case TZ_RECIPROCAL: return at::reciprocal(x);
    case TZ_SQUARE: return at::square(x);
    case TZ_FLOOR: return at::floor(x);
    case TZ_CEIL: return at::ceil(x);
    case TZ_ROUND: return at::round(x);
    case TZ_LOG1P: return at::log1p(x);
    case TZ_EXPM1: return at::expm1(x);
    case TZ_ERF: return at::erf(x);
    case TZ_ISNAN: return at::isnan(x);
    case TZ_ISINF: return at::isinf(x);
    case TZ_ISFINITE: return at::isfinite(x);
    case TZ_LOGICAL_NOT: return at::logical_not(x);
    case TZ_LOG2: return at::log2(x);
    case TZ_TRUNC: return at::trunc(x);
    case TZ_ZERO: return at::zeros_like(x);
    case TZ_SOFTPLUS: return at::softplus(x);
    case TZ_ERFINV: return at::erfinv(x);
    default: fail("unknown unary op " + std::to_string(op));
  }
}

void unary_(int op, at::Tensor& x) {
  switch (op) {
    case TZ_NEG: x.neg_(); return;
    case TZ_ABS: x.abs_(); return;
    case TZ_SIGN: x.sign_(); return;
    case TZ_SQRT: x.sqrt_(); return;
    case TZ_RSQRT: x.rsqrt_(); return;
    case TZ_EXP: x.exp_(); return;
    case TZ_LOG: x.log_(); return;
    case TZ_SIN: x.sin_(); return;
    case TZ_COS: x.cos_(); return;
    case TZ_TANH: x.tanh_(); return;
    case TZ_SIGMOID: x.sigmoid_(); return;
    case TZ_RELU: x.relu_(); return;
    case TZ_SILU: at::silu_(x); return;
    case TZ_RECIPROCAL: x.reciprocal_(); return;
    case TZ_SQUARE: x.square_(); return;
    case TZ_FLOOR: x.floor_(); return;
    case TZ_CEIL: x.ceil_(); return;
    case TZ_ROUND: x.round_(); return;
    case TZ_LOG1P: x.log1p_(); return;
    case TZ_EXPM1: x.expm1_(); return;
    case TZ_ERF: x.erf_(); return;
    case TZ_LOGICAL_NOT: x.logical_not_(); return;
    case TZ_LOG2: x.log2_(); return;
    case TZ_TRUNC: x.trunc_(); return;
    case TZ_ZERO: x.zero_(); return;
    case TZ_ERFINV: x.erfinv_(); return;
    default: fail("unary op " + std::to_string(op) + " has no in-place form");
  }
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b, double alpha) {
  switch (op) {
    case TZ_ADD: return at::add(a, b, alpha_for(a, b, alpha));
    case TZ_SUB: return at::sub(a, b, alpha_for(a, b, alpha));
    case TZ_MUL: return at::mul(a, b);
    case TZ_DIV: return at::div(a, b);
    case TZ_POW: return at::pow(a, b);
    case TZ_MAXIMUM: return at::maximum(a, b);
    case TZ_MINIMUM: return at::minimum(a, b);
    case TZ_EQ: return at::eq(a, b);
    case TZ_NE: return at::ne(a, b);
    case TZ_LT: return at::lt(a, b);
    case TZ_LE: return at::le(a, b);
    case TZ_GT: return at::gt(a, b);
    case TZ_GE: return at::ge(a, b);
    case TZ_LOGICAL_AND: return at::logical_and(a, b);
    case TZ_LOGICAL_OR: return at::logical_or(a, b);
    case TZ_LOGICAL_XOR: return at::logical_xor(a, b);
    case TZ_ATAN2: return at::atan2(a, b);
    case TZ_FMOD: return at::fmod(a, b);
    case TZ_REMAINDER: return at::remainder(a, b);
    default: fail("unknown binary op " + std::to_string(op));
  }
}

// Fast path for a.add_(b) / a.sub_(b) / a.mul_(b) (alpha 1) on small same-shape contiguous float32/float64 CPU
// tensors that autograd is not recording. For a 16-element add_, libtorch spends ~0.4 us in the dispatcher and in
// building a TensorIterator around a loop of a few nanoseconds (bench/Foundation); optimizers and schedules call such
// ops on every bias and norm weight. The loop gives the same bits: each element is one correctly rounded
// a + b, a - b or a * b, which is what ATen's kernels compute for alpha 1 (its fmadd(b, 1, a) rounds once too).
// Above kSmallElementwise elements ATen would split the work across threads, so it keeps those. What the
// dispatcher would also do is done here: the version counter is bumped (autograd's check for in-place changes to
// saved tensors; it refuses inference tensors outside inference mode, as ATen does). Everything else (other
// dtypes or ops, broadcasting, views with gaps, partial overlap, names, recorded ops, CUDA) takes ATen's path.
constexpr int64_t kSmallElementwise = 32768;

template <typename T>
void elementwise_(int op, T* a, const T* b, int64_t n) {  // b may be a itself (x.add_(x))
  switch (op) {
    case TZ_ADD: for (int64_t i = 0; i < n; ++i) a[i] = a[i] + b[i]; return;
    case TZ_SUB: for (int64_t i = 0; i < n; ++i) a[i] = a[i] - b[i]; return;
    default: for (int64_t i = 0; i < n; ++i) a[i] = a[i] * b[i]; return;
  }
}

bool binary_same_shape_fast_(int op, at::Tensor& a, const at::Tensor& b, double alpha) {
  if (op != TZ_ADD && op != TZ_SUB && op != TZ_MUL) return false;
  if (op != TZ_MUL && alpha != 1.0) return false;
  const at::ScalarType dtype = a.scalar_type();
  if ((dtype != at::kFloat && dtype != at::kDouble) || b.scalar_type() != dtype) return false;
  const int64_t n = a.numel();
  if (n == 0 || n > kSmallElementwise || b.numel() != n) return false;
  if (!a.is_cpu() || !b.is_cpu() || a.layout() != at::kStrided || b.layout() != at::kStrided) return false;
  if (at::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad())) return false;
  if (!a.is_contiguous() || !b.is_contiguous() || a.sizes() != b.sizes()) return false;
  if (a.is_neg() || b.is_neg() || a._is_zerotensor() || b._is_zerotensor() || a.has_names() || b.has_names()) return false;
  const size_t bytes = static_cast<size_t>(n) * a.element_size();
  const char* pa = static_cast<const char*>(a.data_ptr());
  const char* pb = static_cast<const char*>(b.data_ptr());
  if (pa != pb && pa < pb + bytes && pb < pa + bytes) return false;
  a.unsafeGetTensorImpl()->bump_version();
  if (dtype == at::kFloat) elementwise_(op, a.data_ptr<float>(), b.data_ptr<float>(), n);
  else elementwise_(op, a.data_ptr<double>(), b.data_ptr<double>(), n);
  return true;
}

void binary_(int op, at::Tensor& a, const at::Tensor& b, double alpha) {
  if (binary_same_shape_fast_(op, a, b, alpha)) return;
  switch (op) {
    case TZ_ADD: a.add_(b, alpha_for(a, b, alpha)); return;
    case TZ_SUB: a.sub_(b, alpha_for(a, b, alpha)); return;
    case TZ_MUL: a.mul_(b); return;
    case TZ_DIV: a.div_(b); return;
    case TZ_POW: a.pow_(b); return;
    case TZ_MAXIMUM: at::maximum_out(a, a, b); return;
    case TZ_MINIMUM: at::minimum_out(a, a, b); return;
    case TZ_ATAN2: a.atan2_(b); return;
    case TZ_FMOD: a.fmod_(b); return;
    case TZ_REMAINDER: a.remainder_(b); return;
    case TZ_COPY: a.copy_(b); return;
    default: fail("binary op " + std::to_string(op) + " has no in-place form");
  }
}

at::Tensor binary_scalar(int op, const at::Tensor& a, const at::Scalar& b) {
  switch (op) {
    case TZ_ADD: return at::add(a, b);
    case TZ_SUB: return at::sub(a, b);
    case TZ_MUL: return at::mul(a, b);
    case TZ_DIV: return at::div(a, b);
    case TZ_POW: return at::pow(a, b);
    case TZ_MAXIMUM: return at::clamp_min(a, b);
    case TZ_MINIMUM: return at::clamp_max(a, b);
    case TZ_EQ: return at::eq(a, b);
    case TZ_NE: return at::ne(a, b);
    case TZ_LT: return at::lt(a, b);
    case TZ_LE: return at::le(a, b);
    case TZ_GT: return at::gt(a, b);
    case TZ_GE: return at::ge(a, b);
    case TZ_FMOD: return at::fmod(a, b);
    case TZ_REMAINDER: return at::remainder(a, b);
    default: fail("binary op " + std::to_string(op) + " does not take a scalar");
  }
}

// Fast path for a.add_/sub_/mul_/div_(scalar) on a float32/float64 CPU tensor that autograd is not
// recording. ATen's Scalar overloads wrap the double in a fresh 0-dim double tensor (a "wrapped number"),
// and for a float32 tensor TensorIterator then converts that operand to float32 with a second fresh
// tensor: about 1.1 us of the 1.4 us a 16-element a.mul_(0.9) takes (bench/Foundation). Here the kernel
// gets a wrapped number already in a's dtype, reused per thread: the same value (a static_cast, which
// is what ATen's conversion does), the same Tensor overload and kernel the Scalar overload redispatches
// to, without the allocations. Reusing it is safe only because nothing keeps a reference to it past the
// call: autograd saves `other` of mul_/div_ when it records, hence the grad condition; every other case
// (integer and reduced-precision dtypes, CUDA, sparse, recorded ops) takes ATen's Scalar path unchanged.
bool binary_scalar_fast_(int op, at::Tensor& a, double b) {
  if (op != TZ_ADD && op != TZ_SUB && op != TZ_MUL && op != TZ_DIV) return false;
  const at::ScalarType dtype = a.scalar_type();
  if (dtype != at::kFloat && dtype != at::kDouble) return false;
  if (!a.is_cpu() || a.layout() != at::kStrided) return false;
  if (a.requires_grad() && at::GradMode::is_enabled()) return false;
  static thread_local at::Tensor wrapped_float, wrapped_double;
  at::Tensor& w = dtype == at::kFloat ? wrapped_float : wrapped_double;
  if (!w.defined()) {
    w = at::empty({}, at::TensorOptions().dtype(dtype));
    w.unsafeGetTensorImpl()->set_wrapped_number(true);
  }
  if (dtype == at::kFloat)
    *w.data_ptr<float>() = static_cast<float>(b);
  else
    *w.data_ptr<double>() = b;
  switch (op) {
    case TZ_ADD: a.add_(w); break;
    case TZ_SUB: a.sub_(w); break;
    case TZ_MUL: a.mul_(w); break;
    default: a.div_(w); break;
  }
  return true;
}

void binary_scalar_(int op, at::Tensor& a, double value) {
  if (binary_scalar_fast_(op, a, value)) return;
  const at::Scalar b = scalar_for(a, value);
  switch (op) {
    case TZ_ADD: a.add_(b); return;
    case TZ_SUB: a.sub_(b); return;
    case TZ_MUL: a.mul_(b); return;
    case TZ_DIV: a.div_(b); return;
    case TZ_POW: a.pow_(b); return;
    case TZ_MAXIMUM: a.clamp_min_(b); return;
    case TZ_MINIMUM: a.clamp_max_(b); return;
    case TZ_FMOD: a.fmod_(b); return;
    case TZ_REMAINDER: a.remainder_(b); return;
    default: fail("binary op " + std::to_string(op) + " has no in-place scalar form");
  }
}

c10::optional<at::Scalar> opt_scalar(const at::Tensor& t, int has, double v) {
  if (!has) return c10::nullopt;
  return scalar_for(t, v);
}

// Reduces over every dimension listed, one at a time, for ops whose 1.13 overloads take a single dim.
at::Tensor reduce_each(const at::Tensor& x, at::IntArrayRef d, bool keepdim,
                       at::Tensor (*one)(const at::Tensor&, int64_t, bool)) {
  std::vector<int64_t> sorted(d.begin(), d.end());
  for (auto& v : sorted) v = c10::maybe_wrap_dim(v, x.dim());
  std::sort(sorted.rbegin(), sorted.rend());
  at::Tensor r = x;
  for (int64_t v : sorted) r = one(r, v, keepdim);
  return r;
}

}  // namespace

extern "C" {

tz_tensor tz_unary(int op, tz_tensor x) {
  TZ_TRY
  return wrap(unary(op, T(x)));
  TZ_CATCH(nullptr)
}

int tz_unary_(int op, tz_tensor x) {
  TZ_TRY
  unary_(op, T(x));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_binary(int op, tz_tensor a, tz_tensor b, double alpha) {
  TZ_TRY
  return wrap(binary(op, T(a), T(b), alpha));
  TZ_CATCH(nullptr)
}

int tz_binary_(int op, tz_tensor a, tz_tensor b, double alpha) {
  TZ_TRY
  binary_(op, T(a), T(b), alpha);
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_binary_scalar(int op, tz_tensor a, double b) {
  TZ_TRY
  return wrap(binary_scalar(op, T(a), scalar_for(T(a), b)));
  TZ_CATCH(nullptr)
}

int tz_binary_scalar_(int op, tz_tensor a, double b) {
  TZ_TRY
  binary_scalar_(op, T(a), b);
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_scalar_binary(int op, double a, tz_tensor b) {
  TZ_TRY
  switch (op) {
    case TZ_SUB: return wrap(at::rsub(T(b), scalar_for(T(b), a)));
    case TZ_DIV: return wrap(at::mul(at::reciprocal(T(b)), a));
    case TZ_POW: return wrap(at::pow(scalar_for(T(b), a), T(b)));
    default: return wrap(binary_scalar(op, T(b), scalar_for(T(b), a)));
  }
  TZ_CATCH(nullptr)
}

tz_tensor tz_addc(int kind, tz_tensor self, tz_tensor t1, tz_tensor t2, double value) {
  TZ_TRY
  if (kind == 0) return wrap(at::addcmul(T(self), T(t1), T(t2), value));
  return wrap(at::addcdiv(T(self), T(t1), T(t2), value));
  TZ_CATCH(nullptr)
}

int tz_addc_(int kind, tz_tensor self, tz_tensor t1, tz_tensor t2, double value) {
  TZ_TRY
  if (kind == 0)
    T(self).addcmul_(T(t1), T(t2), value);
  else
    T(self).addcdiv_(T(t1), T(t2), value);
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_lerp(tz_tensor self, tz_tensor end, double weight, tz_tensor weight_tensor) {
  TZ_TRY
  if (weight_tensor) return wrap(at::lerp(T(self), T(end), T(weight_tensor)));
  return wrap(at::lerp(T(self), T(end), weight));
  TZ_CATCH(nullptr)
}

int tz_lerp_(tz_tensor self, tz_tensor end, double weight, tz_tensor weight_tensor) {
  TZ_TRY
  if (weight_tensor)
    T(self).lerp_(T(end), T(weight_tensor));
  else
    T(self).lerp_(T(end), weight);
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_clamp(tz_tensor x, int has_min, double min, int has_max, double max) {
  TZ_TRY
  return wrap(at::clamp(T(x), opt_scalar(T(x), has_min, min), opt_scalar(T(x), has_max, max)));
  TZ_CATCH(nullptr)
}

int tz_clamp_(tz_tensor x, int has_min, double min, int has_max, double max) {
  TZ_TRY
  T(x).clamp_(opt_scalar(T(x), has_min, min), opt_scalar(T(x), has_max, max));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_where(tz_tensor cond, tz_tensor a, tz_tensor b) {
  TZ_TRY
  return wrap(at::where(T(cond), T(a), T(b)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_masked_fill(tz_tensor x, tz_tensor mask, double value) {
  TZ_TRY
  return wrap(at::masked_fill(T(x), T(mask), value));
  TZ_CATCH(nullptr)
}

int tz_masked_fill_(tz_tensor x, tz_tensor mask, double value) {
  TZ_TRY
  T(x).masked_fill_(T(mask), value);
  return 0;
  TZ_CATCH(-1)
}

int tz_fill_(tz_tensor x, double value) {
  TZ_TRY
  T(x).fill_(value);
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_reduce(int op, tz_tensor xh, const int64_t* d, int nd, int keepdim, double param) {
  TZ_TRY
  const at::Tensor& x = T(xh);
  bool all = nd == 0;
  bool kd = keepdim != 0;
  at::IntArrayRef ds = dims(d, nd);
  std::vector<int64_t> every;
  if (all) {
    for (int64_t i = 0; i < x.dim(); ++i) every.push_back(i);
    ds = every;
  }
  switch (op) {
    case TZ_SUM: return wrap(all && !kd ? x.sum() : at::sum(x, ds, kd));
    case TZ_MEAN: return wrap(all && !kd ? x.mean() : at::mean(x, ds, kd));
    case TZ_PROD:
      if (all && !kd) return wrap(x.prod());
      return wrap(reduce_each(x, ds, kd, [](const at::Tensor& t, int64_t dim, bool k) { return at::prod(t, dim, k); }));
    case TZ_AMAX: return wrap(at::amax(x, ds, kd));
    case TZ_AMIN: return wrap(at::amin(x, ds, kd));
    case TZ_ALL:
      if (all && !kd) return wrap(x.all());
      return wrap(reduce_each(x, ds, kd, [](const at::Tensor& t, int64_t dim, bool k) { return at::all(t, dim, k); }));
    case TZ_ANY:
      if (all && !kd) return wrap(x.any());
      return wrap(reduce_each(x, ds, kd, [](const at::Tensor& t, int64_t dim, bool k) { return at::any(t, dim, k); }));
    case TZ_LOGSUMEXP: return wrap(at::logsumexp(x, ds, kd));
    case TZ_VAR: return wrap(at::var(x, ds, param != 0, kd));
    case TZ_STD: return wrap(at::std(x, ds, param != 0, kd));
    case TZ_NORM: return wrap(at::linalg_vector_norm(x, param, ds, kd, c10::nullopt));
    default: fail("unknown reduction " + std::to_string(op));
  }
  TZ_CATCH(nullptr)
}

int tz_minmax_dim(int kind, tz_tensor x, int64_t dim, int keepdim, tz_tensor* values, tz_tensor* indices) {
  TZ_TRY
  auto r = kind == 0 ? at::max(T(x), dim, keepdim != 0) : at::min(T(x), dim, keepdim != 0);
  *values = wrap(std::get<0>(r));
  *indices = wrap(std::get<1>(r));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_argminmax(int kind, tz_tensor x, int has_dim, int64_t dim, int keepdim) {
  TZ_TRY
  c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  return wrap(kind == 0 ? at::argmax(T(x), d, keepdim != 0) : at::argmin(T(x), d, keepdim != 0));
  TZ_CATCH(nullptr)
}

tz_tensor tz_cumsum(tz_tensor x, int64_t dim) {
  TZ_TRY
  return wrap(at::cumsum(T(x), dim));
  TZ_CATCH(nullptr)
}

int tz_topk(tz_tensor x, int64_t k, int64_t dim, int largest, tz_tensor* values, tz_tensor* indices) {
  TZ_TRY
  auto r = at::topk(T(x), k, dim, largest != 0, true);
  *values = wrap(std::get<0>(r));
  *indices = wrap(std::get<1>(r));
  return 0;
  TZ_CATCH(-1)
}

int tz_kthvalue(tz_tensor x, int64_t k, int64_t dim, int keepdim, tz_tensor* values, tz_tensor* indices) {
  TZ_TRY
  auto r = at::kthvalue(T(x), k, dim, keepdim != 0);
  *values = wrap(std::get<0>(r));
  *indices = wrap(std::get<1>(r));
  return 0;
  TZ_CATCH(-1)
}

int tz_sort(tz_tensor x, int64_t dim, int descending, tz_tensor* values, tz_tensor* indices) {
  TZ_TRY
  auto r = at::sort(T(x), /*stable=*/true, dim, descending != 0);
  *values = wrap(std::get<0>(r));
  *indices = wrap(std::get<1>(r));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_reshape(tz_tensor x, const int64_t* shape, int ndim) {
  TZ_TRY
  return wrap(at::reshape(T(x), dims(shape, ndim)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_view(tz_tensor x, const int64_t* shape, int ndim) {
  TZ_TRY
  return wrap(T(x).view(dims(shape, ndim)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_permute(tz_tensor x, const int64_t* d, int nd) {
  TZ_TRY
  return wrap(T(x).permute(dims(d, nd)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_transpose(tz_tensor x, int64_t d0, int64_t d1) {
  TZ_TRY
  return wrap(T(x).transpose(d0, d1));
  TZ_CATCH(nullptr)
}

tz_tensor tz_contiguous(tz_tensor x) {
  TZ_TRY
  return wrap(T(x).contiguous());
  TZ_CATCH(nullptr)
}

tz_tensor tz_squeeze(tz_tensor x, int has_dim, int64_t dim) {
  TZ_TRY
  return wrap(has_dim ? T(x).squeeze(dim) : T(x).squeeze());
  TZ_CATCH(nullptr)
}

tz_tensor tz_unsqueeze(tz_tensor x, int64_t dim) {
  TZ_TRY
  return wrap(T(x).unsqueeze(dim));
  TZ_CATCH(nullptr)
}

tz_tensor tz_expand(tz_tensor x, const int64_t* shape, int ndim) {
  TZ_TRY
  return wrap(T(x).expand(dims(shape, ndim)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_flatten(tz_tensor x, int64_t start, int64_t end) {
  TZ_TRY
  return wrap(T(x).flatten(start, end));
  TZ_CATCH(nullptr)
}

tz_tensor tz_repeat(tz_tensor x, const int64_t* repeats, int ndim) {
  TZ_TRY
  return wrap(T(x).repeat(dims(repeats, ndim)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_flip(tz_tensor x, const int64_t* d, int nd) {
  TZ_TRY
  return wrap(at::flip(T(x), dims(d, nd)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_narrow(tz_tensor x, int64_t dim, int64_t start, int64_t length) {
  TZ_TRY
  return wrap(T(x).narrow(dim, start, length));
  TZ_CATCH(nullptr)
}

tz_tensor tz_slice(tz_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  TZ_TRY
  return wrap(T(x).slice(dim, start, end, step));
  TZ_CATCH(nullptr)
}

tz_tensor tz_select(tz_tensor x, int64_t dim, int64_t index) {
  TZ_TRY
  return wrap(T(x).select(dim, index));
  TZ_CATCH(nullptr)
}

tz_tensor tz_index_select(tz_tensor x, int64_t dim, tz_tensor index) {
  TZ_TRY
  return wrap(at::index_select(T(x), dim, T(index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_gather(tz_tensor x, int64_t dim, tz_tensor index) {
  TZ_TRY
  return wrap(at::gather(T(x), dim, T(index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_scatter(int kind, tz_tensor x, int64_t dim, tz_tensor index, tz_tensor src) {
  TZ_TRY
  if (kind == 0) return wrap(at::scatter(T(x), dim, T(index), T(src)));
  return wrap(at::scatter_add(T(x), dim, T(index), T(src)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_masked_select(tz_tensor x, tz_tensor mask) {
  TZ_TRY
  return wrap(at::masked_select(T(x), T(mask)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_triangle(int kind, tz_tensor x, int64_t diagonal) {
  TZ_TRY
  return wrap(kind == 0 ? at::tril(T(x), diagonal) : at::triu(T(x), diagonal));
  TZ_CATCH(nullptr)
}

tz_tensor tz_cat(const tz_tensor* xs, int n, int64_t dim) {
  TZ_TRY
  return wrap(at::cat(list(xs, n), dim));
  TZ_CATCH(nullptr)
}

tz_tensor tz_stack(const tz_tensor* xs, int n, int64_t dim) {
  TZ_TRY
  return wrap(at::stack(list(xs, n), dim));
  TZ_CATCH(nullptr)
}

static int write_parts(const std::vector<at::Tensor>& parts, tz_tensor* out, int cap) {
  if (static_cast<int>(parts.size()) > cap)
    fail("the split produced " + std::to_string(parts.size()) + " parts but room for only " + std::to_string(cap));
  for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(parts[i]);
  return static_cast<int>(parts.size());
}

int tz_chunk(tz_tensor x, int64_t chunks, int64_t dim, tz_tensor* out, int cap) {
  TZ_TRY
  return write_parts(T(x).chunk(chunks, dim), out, cap);
  TZ_CATCH(-1)
}

int tz_split(tz_tensor x, const int64_t* sizes, int nsizes, int64_t dim, tz_tensor* out, int cap) {
  TZ_TRY
  return write_parts(T(x).split_with_sizes(dims(sizes, nsizes), dim), out, cap);
  TZ_CATCH(-1)
}

tz_tensor tz_clone(tz_tensor x) {
  TZ_TRY
  return wrap(T(x).clone());
  TZ_CATCH(nullptr)
}

tz_tensor tz_detach(tz_tensor x) {
  TZ_TRY
  return wrap(T(x).detach());
  TZ_CATCH(nullptr)
}

tz_tensor tz_alias(tz_tensor x) {
  TZ_TRY
  return wrap(T(x));
  TZ_CATCH(nullptr)
}

tz_tensor tz_to(tz_tensor x, int dtype, int device_type, int device_index, int copy) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  return wrap(T(x).to(options(dtype, device_type, device_index), false, copy != 0));
  TZ_CATCH(nullptr)
}

}  // extern "C"
