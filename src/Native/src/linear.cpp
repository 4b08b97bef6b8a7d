// Linear layer y = x·Wᵀ + b whose matrix products are split among libtorch's threads by the shim rather than by the
// BLAS. OpenBLAS threads each product on its own, with a hand-off per call; for the products of a small transformer
// (520 × 192 × 768 at the chirp ViT's batch 8) its two threads reached 200–240 GFLOP/s on this VM where two
// single-threaded products side by side reached 250–290. So the forward gives each thread a block of rows, and the
// backward runs the input gradient dY·W and the weight gradient dYᵀ·X at the same time, one thread (or one share of
// the threads) each: the two have the same number of multiply-adds, and neither waits for the other's hand-off.
// Each thread's product is one BLAS call on its own block, so the sums run in the BLAS's own order.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>

#include "blas.h"
#include "common.h"

using namespace tz;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// Below this many multiply-adds a product is over before a parallel region pays for itself.
constexpr int64_t kMinMultiplyAdds = int64_t{1} << 18;
// A thread's block of rows is at least this tall, so that the BLAS still sees a product worth its packing.
constexpr int64_t kMinRowsPerPart = 32;

// Part i of [0, n) cut into `parts` near-equal ranges.
inline std::pair<int64_t, int64_t> part(int64_t n, int64_t i, int64_t parts) { return {n * i / parts, n * (i + 1) / parts}; }

inline int64_t parts_for(int64_t rows, int64_t threads) { return std::clamp<int64_t>(rows / kMinRowsPerPart, 1, threads); }

// Runs task(i) for i in [0, tasks), the tasks spread over libtorch's threads (one each when tasks ≤ threads).
template <typename F>
void each_task(int64_t tasks, const F& task) {
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) task(i);
  });
}

bool fits_int(std::initializer_list<int64_t> sizes) {
  return std::all_of(sizes.begin(), sizes.end(), [](int64_t s) { return s <= std::numeric_limits<int>::max(); });
}

// Rows [r0, r1) of y = x·Wᵀ + b, with x (rows × in) and W (out × in) row-major.
template <typename S>
void forward_rows(const S* x, const S* w, const S* b, S* y, int64_t in, int64_t out, int64_t r0, int64_t r1) {
  if (r1 <= r0) return;
  S beta = 0;
  if (b != nullptr) {
    for (int64_t r = r0; r < r1; ++r) std::copy(b, b + out, y + r * out);
    beta = 1;
  }
  gemm<S>(false, true, r1 - r0, out, in, S(1), x + r0 * in, in, w, in, y + r0 * out, out, beta);
}

struct ThreadSplitLinear : public torch::autograd::Function<ThreadSplitLinear> {
  // Without a bias, `bias` is an empty placeholder: autograd's custom functions take no undefined tensors.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias,
                            bool has_bias) {
    const int64_t in = weight.size(1), out = weight.size(0);
    at::Tensor x = input.contiguous(), w = weight.contiguous(), b = has_bias ? bias.contiguous() : at::Tensor();
    const int64_t rows = x.numel() / in;
    std::vector<int64_t> sizes = input.sizes().vec();
    sizes.back() = out;
    at::Tensor y = at::empty(sizes, x.options());
    const int64_t parts = parts_for(rows, at::get_num_threads());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "linear_forward", [&] {
      const scalar_t* xp = x.data_ptr<scalar_t>();
      const scalar_t* wp = w.data_ptr<scalar_t>();
      const scalar_t* bp = b.defined() ? b.data_ptr<scalar_t>() : nullptr;
      scalar_t* yp = y.data_ptr<scalar_t>();
      each_task(parts, [&](int64_t i) {
        auto [r0, r1] = part(rows, i, parts);
        forward_rows(xp, wp, bp, yp, in, out, r0, r1);
      });
    });
    ctx->save_for_backward({input, weight});
    ctx->saved_data["bias"] = has_bias;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& weight = saved[1];
    const int64_t in = weight.size(1), out = weight.size(0);
    const bool want_x = ctx->needs_input_grad(0), want_w = ctx->needs_input_grad(1);
    const bool want_b = ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2);
    at::Tensor g = grads[0].reshape({-1, out});
    at::Tensor dx, dw, db;
    if (at::GradMode::is_enabled()) {
      // create_graph: the gradient must itself be differentiable, so take tensor ops.
      at::Tensor x = input.reshape({-1, in});
      if (want_x) dx = at::mm(g, weight).view(input.sizes());
      if (want_w) dw = at::mm(g.t(), x);
      if (want_b) db = g.sum(0);
      return {dx, dw, db, at::Tensor()};
    }
    g = g.contiguous();
    at::Tensor x = input.reshape({-1, in}).contiguous(), w = weight.contiguous();
    const int64_t rows = x.size(0), threads = at::get_num_threads();
    // Both gradients wanted: each gets half the threads (one each at two threads); otherwise the one gets them all.
    int64_t x_parts = 0, w_parts = 0;
    if (want_x) x_parts = parts_for(rows, want_w ? (threads + 1) / 2 : threads);
    if (want_w) w_parts = parts_for(out, want_x ? std::max<int64_t>(1, threads / 2) : threads);
    if (want_x) dx = at::empty_like(x);
    if (want_w) dw = at::empty_like(w);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "linear_backward", [&] {
      const scalar_t* gp = g.data_ptr<scalar_t>();
      const scalar_t* xp = x.data_ptr<scalar_t>();
      const scalar_t* wp = w.data_ptr<scalar_t>();
      scalar_t* dxp = want_x ? dx.data_ptr<scalar_t>() : nullptr;
      scalar_t* dwp = want_w ? dw.data_ptr<scalar_t>() : nullptr;
      each_task(x_parts + w_parts, [&](int64_t i) {
        if (i < x_parts) {  // rows [r0, r1) of dX = dY·W
          auto [r0, r1] = part(rows, i, x_parts);
          if (r1 > r0) gemm<scalar_t>(false, false, r1 - r0, in, out, 1, gp + r0 * out, out, wp, in, dxp + r0 * in, in);
        } else {  // rows [o0, o1) of dW = dYᵀ·X: columns o0..o1 of dY, transposed
          auto [o0, o1] = part(out, i - x_parts, w_parts);
          if (o1 > o0) gemm<scalar_t>(true, false, o1 - o0, in, rows, 1, gp + o0, out, xp, in, dwp + o0 * in, in);
        }
      });
    });
    if (want_b) db = g.sum(0);
    if (want_x) dx = dx.view(input.sizes());
    return {dx, dw, db, at::Tensor()};
  }
};

// Float and double CPU tensors in plain layouts, big enough to split, with BLAS-sized dimensions, outside any
// parallel region, at more than one thread; everything else goes to at::linear.
bool split_pays(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (at::get_num_threads() < 2 || at::in_parallel_region()) return false;
  if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1) || x.numel() == 0 || w.numel() == 0) return false;
  if (b.defined() && (b.dim() != 1 || b.size(0) != w.size(0) || b.scalar_type() != x.scalar_type() || !b.device().is_cpu()))
    return false;
  const auto type = x.scalar_type();
  if (type != w.scalar_type() || !(type == at::kFloat ? blas_available<float>() : type == at::kDouble && blas_available<double>()))
    return false;
  if (!x.device().is_cpu() || !w.device().is_cpu() || x.layout() != at::kStrided || w.layout() != at::kStrided ||
      x.is_conj() || w.is_conj() || x.is_neg() || w.is_neg())
    return false;
  const int64_t rows = x.numel() / w.size(1);
  return fits_int({rows, w.size(0), w.size(1)}) && rows * w.size(0) * w.size(1) >= kMinMultiplyAdds;
}

}  // namespace

extern "C" tz_tensor tz_linear(tz_tensor x, tz_tensor weight, tz_tensor bias) {
  TZ_TRY
  const at::Tensor& input = T(x);
  const at::Tensor& w = T(weight);
  at::Tensor b = bias ? T(bias) : at::Tensor();
  if (!split_pays(input, w, b)) return wrap(at::linear(input, w, b));
  const bool has_bias = b.defined();
  return wrap(ThreadSplitLinear::apply(input, w, has_bias ? b : at::empty({0}, w.options()), has_bias));
  TZ_CATCH(nullptr)
}
