// nn functional: layers, activations with options, losses, attention, spectrograms.
#include <cmath>

#include "common.h"

using namespace tz;

namespace {

at::Tensor opt(tz_tensor t) { return t ? T(t) : at::Tensor(); }

int64_t reduction(int r) {
  if (r < 0 || r > 2) fail("reduction must be 0 (none), 1 (mean) or 2 (sum), got " + std::to_string(r));
  // at::Reduction: None 0, Mean 1, Sum 2 — the same numbering.
  return r;
}

}  // namespace

extern "C" {

tz_tensor tz_layer_norm(tz_tensor x, const int64_t* shape, int ndim, tz_tensor weight, tz_tensor bias, double eps) {
  TZ_TRY
  return wrap(at::layer_norm(T(x), dims(shape, ndim), opt(weight), opt(bias), eps));
  TZ_CATCH(nullptr)
}

tz_tensor tz_batch_norm(tz_tensor x, tz_tensor weight, tz_tensor bias, tz_tensor running_mean, tz_tensor running_var,
                        int training, double momentum, double eps) {
  TZ_TRY
  if (T(x).dim() < 2) fail("batch_norm expects (batch, channels, ...) input, got " + std::to_string(T(x).dim()) + " dimensions");
  // In training the batch statistics normalize and the running ones (if given) are updated in place, as nn.BatchNorm.
  return wrap(at::batch_norm(T(x), opt(weight), opt(bias), opt(running_mean), opt(running_var), training != 0, momentum, eps,
                             /*cudnn_enabled=*/true));
  TZ_CATCH(nullptr)
}

tz_tensor tz_softmax(int kind, tz_tensor x, int64_t dim) {
  TZ_TRY
  return wrap(kind == 0 ? at::softmax(T(x), dim) : at::log_softmax(T(x), dim));
  TZ_CATCH(nullptr)
}

tz_tensor tz_dropout(tz_tensor x, double p, int train) {
  TZ_TRY
  if (p < 0 || p > 1) fail("dropout probability must be in [0, 1], got " + std::to_string(p));
  return wrap(at::dropout(T(x), p, train != 0));
  TZ_CATCH(nullptr)
}

tz_tensor tz_conv2d(tz_tensor x, tz_tensor weight, tz_tensor bias, const int64_t* stride, const int64_t* padding,
                    const int64_t* dilation, int64_t groups) {
  TZ_TRY
  return wrap(at::conv2d(T(x), T(weight), opt(bias), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups));
  TZ_CATCH(nullptr)
}

tz_tensor tz_pool2d(int kind, tz_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding) {
  TZ_TRY
  if (kind == 0) return wrap(at::max_pool2d(T(x), dims(kernel, 2), dims(stride, 2), dims(padding, 2)));
  return wrap(at::avg_pool2d(T(x), dims(kernel, 2), dims(stride, 2), dims(padding, 2)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_embedding(tz_tensor weight, tz_tensor indices) {
  TZ_TRY
  return wrap(at::embedding(T(weight), T(indices)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_cross_entropy(tz_tensor logits, tz_tensor target, tz_tensor weight, int red, int64_t ignore_index,
                           double label_smoothing) {
  TZ_TRY
  return wrap(at::cross_entropy_loss(T(logits), T(target), opt(weight), reduction(red), ignore_index,
                                     label_smoothing));
  TZ_CATCH(nullptr)
}

tz_tensor tz_loss(int kind, tz_tensor input, tz_tensor target, int red, double param) {
  TZ_TRY
  int64_t r = reduction(red);
  switch (kind) {
    case 0: return wrap(at::mse_loss(T(input), T(target), r));
    case 1: return wrap(at::l1_loss(T(input), T(target), r));
    case 2: return wrap(at::smooth_l1_loss(T(input), T(target), r, param));
    case 3: return wrap(at::huber_loss(T(input), T(target), r, param));
    case 4: return wrap(at::binary_cross_entropy_with_logits(T(input), T(target), {}, {}, r));
    default: fail("unknown loss kind " + std::to_string(kind));
  }
  TZ_CATCH(nullptr)
}

tz_tensor tz_sdpa(tz_tensor q, tz_tensor k, tz_tensor v, tz_tensor attn_mask, double dropout_p, int is_causal,
                  double scale) {
  TZ_TRY
  const at::Tensor& Q = T(q);
  const at::Tensor& K = T(k);
  const at::Tensor& V = T(v);
  if (Q.dim() < 2) fail("attention query must have at least 2 dimensions (..., L, E)");
  double s = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(Q.size(-1)));
  // Scaling the (L, E) query is cheaper than scaling the (L, S) scores and gives the same result.
  at::Tensor scores = at::matmul(Q * s, K.transpose(-2, -1));
  if (is_causal) {
    int64_t L = Q.size(-2), S = K.size(-2);
    auto keep = at::ones({L, S}, Q.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), -INFINITY);
  }
  if (attn_mask) {
    const at::Tensor& m = T(attn_mask);
    scores = m.scalar_type() == at::kBool ? scores.masked_fill(m.logical_not(), -INFINITY) : scores + m;
  }
  at::Tensor weights = at::softmax(scores, -1);
  if (dropout_p > 0) weights = at::dropout(weights, dropout_p, true);
  return wrap(at::matmul(weights, V));
  TZ_CATCH(nullptr)
}

tz_tensor tz_stft(tz_tensor signal, int64_t n_fft, int64_t hop_length, int64_t win_length, tz_tensor window,
                  int center, int normalized) {
  TZ_TRY
  const at::Tensor& x = T(signal);
  at::Tensor w = window ? T(window) : at::hann_window(win_length, x.options());
  return wrap(at::stft(x, n_fft, hop_length, win_length, w, center != 0, "reflect", normalized != 0,
                       /*onesided=*/true, /*return_complex=*/true));
  TZ_CATCH(nullptr)
}

tz_tensor tz_view_as_real(tz_tensor x) {
  TZ_TRY
  return wrap(at::view_as_real(T(x)));
  TZ_CATCH(nullptr)
}

}  // extern "C"
