// Packed multi-head self-attention: (B, N, 3D) query/key/value rows in, (B, N, D) merged heads out, with its own
// backward. libtorch 1.13's CPU bmm loops over the B·H batch and hands one small (N × hd × N) GEMM at a time to a
// multi-threaded BLAS, paying a thread hand-off per head; here one parallel loop splits the heads among the threads
// and each thread runs its heads' GEMMs single-threaded (OpenBLAS built for OpenMP does not fork inside an OpenMP
// region). The GEMMs read q, k and v in place inside the qkv rows (leading dimension 3D) and write the output and
// the gradient straight into their merged (B, N, ·) layouts, so no head split, transpose or merge copy is made.
// Softmax and its backward stay libtorch's (vectorized) kernels over the whole (B, H, N, N) tensor.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <type_traits>

#include "blas.h"
#include "common.h"

using namespace tz;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

struct Shape {
  int64_t b, n, d, heads, hd;
};

Shape shape_of(const at::Tensor& qkv, int64_t heads) {
  if (qkv.dim() != 3) fail("packed attention expects (batch, tokens, 3·width) input, got " + std::to_string(qkv.dim()) + " dimensions");
  if (heads <= 0) fail("packed attention needs a positive head count, got " + std::to_string(heads));
  int64_t c = qkv.size(2);
  if (c % (3 * heads) != 0)
    fail("packed attention: the last dimension (" + std::to_string(c) + ") must be 3 × width with width divisible by " +
         std::to_string(heads) + " heads");
  return {qkv.size(0), qkv.size(1), c / 3, heads, c / 3 / heads};
}

// Runs body(batch, head) for every (batch, head) pair, the pairs split among libtorch's threads.
template <typename F>
void each_head(const Shape& s, const F& body) {
  at::parallel_for(0, s.b * s.heads, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) body(i / s.heads, i % s.heads);
  });
}

// float32 and float64 CPU tensors whose sizes fit BLAS's int arguments, when libtorch's BLAS is reachable.
bool fast_path(const at::Tensor& qkv) {
  bool blas = qkv.scalar_type() == at::kFloat ? blas_available<float>() : qkv.scalar_type() == at::kDouble && blas_available<double>();
  return blas && qkv.device().is_cpu() && qkv.numel() > 0 && qkv.numel() < (int64_t{1} << 31);
}

// The same attention from libtorch tensor ops (any dtype or device, differentiable to any order).
at::Tensor composite(const at::Tensor& qkv, int64_t heads, double scale) {
  Shape s = shape_of(qkv, heads);
  at::Tensor h = qkv.reshape({s.b, s.n, 3, s.heads, s.hd}).permute({2, 0, 3, 1, 4});
  at::Tensor q = h.select(0, 0), k = h.select(0, 1), v = h.select(0, 2);
  at::Tensor p = at::softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1);
  return at::matmul(p, v).transpose(1, 2).reshape({s.b, s.n, s.d});
}

// Gradient of composite() with respect to qkv, written with differentiable ops (used when create_graph is set).
at::Tensor composite_backward(const at::Tensor& qkv, const at::Tensor& grad, int64_t heads, double scale) {
  Shape s = shape_of(qkv, heads);
  at::Tensor h = qkv.reshape({s.b, s.n, 3, s.heads, s.hd}).permute({2, 0, 3, 1, 4});
  at::Tensor q = h.select(0, 0), k = h.select(0, 1), v = h.select(0, 2);
  at::Tensor p = at::softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1);
  at::Tensor g = grad.reshape({s.b, s.n, s.heads, s.hd}).transpose(1, 2);
  at::Tensor dv = at::matmul(p.transpose(-2, -1), g);
  at::Tensor ds = at::_softmax_backward_data(at::matmul(g, v.transpose(-2, -1)), p, -1, p.scalar_type());
  at::Tensor dq = at::matmul(ds, k) * scale, dk = at::matmul(ds.transpose(-2, -1), q) * scale;
  return at::stack({dq, dk, dv}, 0).permute({1, 3, 0, 2, 4}).reshape({s.b, s.n, 3 * s.d});
}

struct PackedSelfAttention : public torch::autograd::Function<PackedSelfAttention> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, int64_t heads, double scale) {
    at::Tensor qkv = input.contiguous();
    Shape s = shape_of(qkv, heads);
    at::Tensor probs, out;
    AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "packed_attention", [&] {
      const scalar_t alpha = static_cast<scalar_t>(scale);
      const int64_t row = 3 * s.d, nn = s.n * s.n;
      at::Tensor scores = at::empty({s.b, s.heads, s.n, s.n}, qkv.options());
      const scalar_t* x = qkv.data_ptr<scalar_t>();
      scalar_t* sc = scores.data_ptr<scalar_t>();
      each_head(s, [&](int64_t b, int64_t h) {
        const scalar_t* q = x + b * s.n * row + h * s.hd;
        gemm<scalar_t>(false, true, s.n, s.n, s.hd, alpha, q, row, q + s.d, row, sc + (b * s.heads + h) * nn, s.n);
      });
      probs = at::_softmax(scores, -1, false);
      scores.reset();
      out = at::empty({s.b, s.n, s.d}, qkv.options());
      const scalar_t* p = probs.data_ptr<scalar_t>();
      scalar_t* o = out.data_ptr<scalar_t>();
      each_head(s, [&](int64_t b, int64_t h) {
        const scalar_t* v = x + b * s.n * row + 2 * s.d + h * s.hd;
        gemm<scalar_t>(false, false, s.n, s.hd, s.n, 1, p + (b * s.heads + h) * nn, s.n, v, row, o + b * s.n * s.d + h * s.hd, s.d);
      });
    });
    ctx->save_for_backward({input});
    ctx->saved_data["probs"] = probs;
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["scale"] = scale;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    at::Tensor input = ctx->get_saved_variables()[0];
    int64_t heads = ctx->saved_data["heads"].toInt();
    double scale = ctx->saved_data["scale"].toDouble();
    // create_graph: the gradient must itself be differentiable, so take the tensor-op route.
    if (at::GradMode::is_enabled()) return {composite_backward(input, grads[0], heads, scale), at::Tensor(), at::Tensor()};

    at::Tensor qkv = input.contiguous(), grad = grads[0].contiguous();
    at::Tensor probs = ctx->saved_data["probs"].toTensor();
    Shape s = shape_of(qkv, heads);
    at::Tensor dqkv = at::empty_like(qkv);
    AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "packed_attention_backward", [&] {
      const scalar_t alpha = static_cast<scalar_t>(scale);
      const int64_t row = 3 * s.d, nn = s.n * s.n;
      const scalar_t* x = qkv.data_ptr<scalar_t>();
      const scalar_t* g = grad.data_ptr<scalar_t>();
      const scalar_t* p = probs.data_ptr<scalar_t>();
      scalar_t* dx = dqkv.data_ptr<scalar_t>();
      at::Tensor dprobs = at::empty_like(probs);
      scalar_t* dp = dprobs.data_ptr<scalar_t>();
      each_head(s, [&](int64_t b, int64_t h) {
        const int64_t at_head = b * s.n * row + h * s.hd, bh = (b * s.heads + h) * nn;
        const scalar_t* go = g + b * s.n * s.d + h * s.hd;
        gemm<scalar_t>(false, true, s.n, s.n, s.hd, 1, go, s.d, x + at_head + 2 * s.d, row, dp + bh, s.n);  // dP = G·Vᵀ
        gemm<scalar_t>(true, false, s.n, s.hd, s.n, 1, p + bh, s.n, go, s.d, dx + at_head + 2 * s.d, row);  // dV = Pᵀ·G
      });
      at::Tensor dscores = at::_softmax_backward_data(dprobs, probs, -1, probs.scalar_type());
      dprobs.reset();
      const scalar_t* ds = dscores.data_ptr<scalar_t>();
      each_head(s, [&](int64_t b, int64_t h) {
        const int64_t at_head = b * s.n * row + h * s.hd, bh = (b * s.heads + h) * nn;
        gemm<scalar_t>(false, false, s.n, s.hd, s.n, alpha, ds + bh, s.n, x + at_head + s.d, row, dx + at_head, row);  // dQ = s·dS·K
        gemm<scalar_t>(true, false, s.n, s.hd, s.n, alpha, ds + bh, s.n, x + at_head, row, dx + at_head + s.d, row);   // dK = s·dSᵀ·Q
      });
    });
    return {dqkv, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

extern "C" {

tz_tensor tz_packed_attention(tz_tensor qkv, int64_t heads, double scale) {
  TZ_TRY
  const at::Tensor& x = T(qkv);
  Shape s = shape_of(x, heads);
  double sc = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(s.hd));
  if (!fast_path(x)) return wrap(composite(x, heads, sc));
  return wrap(PackedSelfAttention::apply(x, heads, sc));
  TZ_CATCH(nullptr)
}

}  // extern "C"
