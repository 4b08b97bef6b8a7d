// Autograd: gradients, backward passes (with create_graph for Hessian-vector products), grad mode.
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "common.h"

using namespace tz;

extern "C" {

int tz_requires_grad(tz_tensor t) { return T(t).requires_grad() ? 1 : 0; }

int tz_set_requires_grad(tz_tensor t, int value) {
  TZ_TRY
  T(t).set_requires_grad(value != 0);
  return 0;
  TZ_CATCH(-1)
}

int tz_is_leaf(tz_tensor t) { return T(t).is_leaf() ? 1 : 0; }

int tz_set_data(tz_tensor t, tz_tensor data) {
  TZ_TRY
  T(t).set_data(T(data));
  return 0;
  TZ_CATCH(-1)
}

int tz_grad(tz_tensor t, tz_tensor* out) {
  TZ_TRY
  const at::Tensor& g = T(t).grad();
  *out = g.defined() ? wrap(g) : nullptr;
  return 0;
  TZ_CATCH(-1)
}

int tz_set_grad(tz_tensor t, tz_tensor grad) {
  TZ_TRY
  T(t).mutable_grad() = grad ? T(grad) : at::Tensor();
  return 0;
  TZ_CATCH(-1)
}

int tz_retain_grad(tz_tensor t) {
  TZ_TRY
  T(t).retain_grad();
  return 0;
  TZ_CATCH(-1)
}

int tz_backward(tz_tensor t, tz_tensor grad, int retain_graph, int create_graph) {
  TZ_TRY
  at::Tensor g = grad ? T(grad) : at::Tensor();
  c10::optional<bool> retain = retain_graph ? c10::optional<bool>(true) : c10::nullopt;
  T(t).backward(g, retain, create_graph != 0);
  return 0;
  TZ_CATCH(-1)
}

int tz_autograd_grad(const tz_tensor* outputs, int nout, const tz_tensor* grad_outputs, const tz_tensor* inputs,
                     int nin, int retain_graph, int create_graph, int allow_unused, tz_tensor* out) {
  TZ_TRY
  std::vector<at::Tensor> go;
  if (grad_outputs) go = list(grad_outputs, nout);
  c10::optional<bool> retain = retain_graph ? c10::optional<bool>(true) : c10::nullopt;
  auto r = torch::autograd::grad(list(outputs, nout), list(inputs, nin), go, retain, create_graph != 0,
                                 allow_unused != 0);
  for (size_t i = 0; i < r.size(); ++i) out[i] = r[i].defined() ? wrap(r[i]) : nullptr;
  return 0;
  TZ_CATCH(-1)
}

int tz_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }

int tz_set_grad_enabled(int enabled) {
  int previous = at::GradMode::is_enabled() ? 1 : 0;
  at::GradMode::set_enabled(enabled != 0);
  return previous;
}

}  // extern "C"
