// Fused optimizer steps: one pass over contiguous float32 CPU buffers does what the generic C# path does with
// five to fifteen tensor ops (and their temporaries). The loops (fused_optim_kernels.h) follow the generic path's
// operation order in float32 and round like libtorch's kernels on the same CPU, so the element-wise results agree
// with the generic path bit for bit; REG's norms and RMS are summed in double over fixed row blocks (libtorch sums
// them in float32), so those agree to float rounding and do not depend on the thread count. MARS's one norm is
// ATen's own reduction, the generic path's call, taken between its two passes, so MARS agrees bit for bit too.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "common.h"

using namespace tz;

namespace {

struct AdamArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  float* vmax;  // AMSGrad only
  float decay, wd, b1, omb1, b2, omb2, sqrt_bc2, eps, step;
};

struct LionArgs {
  float* p;
  const float* g;
  float* m;
  float decay, lr, b1, omb1, b2, omb2;
};

struct SgdArgs {
  float* p;
  const float* g;
  float* buf;  // momentum only
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, mu, damp, neg_lr;  // damp = 1 − τ; neg_lr = −η
};

struct NAdamArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, b1, omb1, b2, omb2, bc2, eps, grad_coef, momentum_coef;
};

struct AdaModArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  float* sa;   // the step-size EMA
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, b1, omb1, b2, omb2, b3, omb3, eps, c;  // c = η√bc2/bc1
};

struct RmsPropArgs {
  float* p;
  const float* g;
  float* sq;
  float* ga;   // centered only
  float* buf;  // momentum only
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, alpha, oma, eps, mu, neg_lr;  // oma = 1 − α; neg_lr = −η
};

struct RAdamArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, b1, omb1, b2, omb2, bc1, lr, eps, sqrt_bc2, rect;  // rect = r_t, rectified steps only
};

struct AdagradArgs {
  float* p;
  const float* g;
  float* sum;
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, eps, c;  // c = −η/(1 + (t−1)δ)
};

struct AdoptArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  bool decay;  // coupled λ ≠ 0: g.add(p, λ)
  float wd, pdecay, eps, c, b1, omb1, b2, omb2, lr;  // pdecay = 1 − ηλ (decoupled) or 1; c = the clip bound
};

struct LaPropArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  bool move;  // η̄ > 0
  float decay, b1, c, b2, omb2, sqrt_bc2, eps, step;  // c = (1 − β1)η, step = −η/η̄
};

struct RpropArgs {
  float* p;
  const float* g;
  float* prev;
  float* step;
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, eta_minus, eta_plus, lo, hi;
};

struct AdaBeliefArgs {
  float* p;
  const float* g;
  float* m;
  float* s;
  bool decay;  // coupled λ ≠ 0: g.add(p, λ)
  float keep, wd, b1, omb1, b2, omb2, eps, sqrt_bc2, c;  // keep = 1 − ηλ (decoupled); c = the step's coefficient
};

struct AdaBoundArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  float* vmax;  // AMSBound only
  bool decay;   // λ ≠ 0: g.add(p, λ)
  float wd, b1, omb1, b2, omb2, eps, c, lower, upper;  // c = η√bc2/bc1
};

struct AdadeltaArgs {
  float* p;
  const float* g;
  float* sq;   // square_avg
  float* acc;  // acc_delta
  bool decay;  // λ ≠ 0: g.add(p, λ)
  float wd, rho, omr, eps, neg_lr;  // omr = 1 − ρ; neg_lr = −η
};

struct AdEMAMixArgs {
  float* p;
  const float* g;
  float* m1;  // exp_avg_fast
  float* m2;  // exp_avg_slow
  float* v;
  float decay, b1, omb1, b2, omb2, b3, omb3, alpha, bc1, sqrt_bc2, eps, neg_lr;  // decay = 1 − ηλ (1 when λ = 0)
};

struct SgdSaiArgs {
  float* p;
  const float* g;
  float* buf;  // momentum only
  float decay, mu, omm, neg_step;  // decay = 1 − ηλ (1 when λ = 0); omm = 1 − μ; neg_step = −η·gsnr
};

struct MarsArgs {
  float* p;
  const float* g;
  float* prev;  // last_grad
  float* c;     // scratch: the corrected gradient
  float* m;
  float* v;     // AdamW flavour only
  float k;      // γβ1/(1 − β1)
  float norm;   // ‖c‖, after pass 1
  float b1, omb1, b2, omb2, decay, neg_lr, sqrt_bc2, eps, step;  // decay = 1 − ηλ (1 when λ = 0); step = −η/bc1
};

struct RegArgs {
  float* p;
  const float* g;
  float* m;
  int64_t cols;
  float weight;  // 1 − μ: momentum.lerp_(g, 1 − μ)
  float mu;      // μ: u = g.lerp(momentum, μ) (Nesterov)
  bool nesterov;
  float eps;
  const float* rs;  // (‖u_i,:‖ + ε)^−½, after pass 1
  const float* cs;  // (‖u_:,j‖ + ε)^−½, after pass 1
  float scale;      // ρ/(RMS(X) + ε), after pass 1
  float decay, lr;
};

}  // namespace

#define TZ_KERNEL_NS baseline
#define TZ_KERNEL_FMA 0
#include "fused_optim_kernels.h"
#undef TZ_KERNEL_NS
#undef TZ_KERNEL_FMA

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define TZ_KERNEL_NS avx2
#define TZ_KERNEL_FMA 1
#include "fused_optim_kernels.h"
#undef TZ_KERNEL_NS
#undef TZ_KERNEL_FMA
#pragma GCC pop_options

namespace {

// Elements per parallel chunk: a smaller tensor is updated on the calling thread.
constexpr int64_t kGrain = 32768;
// REG's reductions are split into at most this many row blocks, whose partial sums are added in block order.
constexpr int64_t kMaxBlocks = 64;

// The kernels libtorch itself would pick on this CPU (it uses its AVX2 kernels when the CPU has AVX2 and FMA).
bool use_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

void check_buffer(const at::Tensor& t, const char* what, int64_t numel) {
  if (!t.defined()) fail(std::string("fused optimizer step: ") + what + " is undefined");
  if (t.scalar_type() != at::kFloat || !t.device().is_cpu() || !t.is_contiguous())
    fail(std::string("fused optimizer step: ") + what + " must be a contiguous float32 CPU tensor, got " +
         std::string(c10::toString(t.scalar_type())) + " on " + t.device().str() +
         (t.is_contiguous() ? "" : " (non-contiguous)"));
  if (t.numel() != numel)
    fail(std::string("fused optimizer step: ") + what + " has " + std::to_string(t.numel()) +
         " elements but the parameter has " + std::to_string(numel));
}

float* data(tz_tensor t) { return T(t).data_ptr<float>(); }

// The parameter and its gradient, checked; returns the element count every other buffer must have.
int64_t check_step(tz_tensor param, tz_tensor grad) {
  const int64_t n = T(param).numel();
  check_buffer(T(param), "the parameter", n);
  check_buffer(T(grad), "the gradient", n);
  return n;
}

template <bool Decoupled, bool AmsGrad>
void adam(const AdamArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::adam_range<Decoupled, AmsGrad> : baseline::adam_range<Decoupled, AmsGrad>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Momentum, bool Nesterov, bool First>
void sgd(const SgdArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::sgd_range<Momentum, Nesterov, First> : baseline::sgd_range<Momentum, Nesterov, First>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Centered, bool Momentum>
void rmsprop(const RmsPropArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::rmsprop_range<Centered, Momentum> : baseline::rmsprop_range<Centered, Momentum>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Rectified>
void radam(const RAdamArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::radam_range<Rectified> : baseline::radam_range<Rectified>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Decoupled, int Step>
void adabelief(const AdaBeliefArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::adabelief_range<Decoupled, Step> : baseline::adabelief_range<Decoupled, Step>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

// `step` is the kernel header's AdaBeliefStep (the same values in both ISA namespaces, and in the C# enum's order).
template <bool Decoupled>
void adabelief(const AdaBeliefArgs& a, int64_t n, int step) {
  switch (step) {
    case baseline::kAdaBeliefAdam: adabelief<Decoupled, baseline::kAdaBeliefAdam>(a, n); break;
    case baseline::kAdaBeliefRectified: adabelief<Decoupled, baseline::kAdaBeliefRectified>(a, n); break;
    case baseline::kAdaBeliefSgd: adabelief<Decoupled, baseline::kAdaBeliefSgd>(a, n); break;
    default: adabelief<Decoupled, baseline::kAdaBeliefNone>(a, n); break;
  }
}

template <bool AmsBound>
void adabound(const AdaBoundArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::adabound_range<AmsBound> : baseline::adabound_range<AmsBound>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Momentum, bool First>
void sgdsai(const SgdSaiArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::sgdsai_range<Momentum, First> : baseline::sgdsai_range<Momentum, First>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

template <bool Lion, bool Clip>
void mars_update(const MarsArgs& a, int64_t n) {
  auto range = use_avx2() ? avx2::mars_update_range<Lion, Clip> : baseline::mars_update_range<Lion, Clip>;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

// Rows [0, rows) in blocks of block_rows; fn(block, first_row, end_row) runs once per block, in parallel.
template <typename F>
void for_row_blocks(int64_t rows, int64_t block_rows, const F& fn) {
  int64_t blocks = (rows + block_rows - 1) / block_rows;
  at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) fn(b, b * block_rows, std::min(rows, (b + 1) * block_rows));
  });
}

// REG on one (rows, cols) matrix in two passes over memory (the traffic of an AdamW step):
//  1. momentum ← lerp(momentum, g, 1 − μ); u = lerp(g, momentum, μ) (or momentum); row sums of u² give
//     rs = (‖u_i,:‖ + ε)^−½; per column Σ u² and Σ rs_i²·u² (summed in double over fixed row blocks);
//     then cs = (‖u_:,j‖ + ε)^−½ and Σ X² = Σ_j cs_j²·Σ_i rs_i²·u_ij² for X = u·rs_i·cs_j;
//  2. θ ← θ·(1 − ηλ) − η·X·ρ/(RMS(X) + ε), u recomputed from g and momentum.
void reg(RegArgs a, int64_t rows, double eps, double lr, double weight_decay, double target_rms) {
  const bool fast = use_avx2();
  const int64_t cols = a.cols;
  int64_t block_rows = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, cols));
  block_rows = std::max(block_rows, (rows + kMaxBlocks - 1) / kMaxBlocks);
  const int64_t blocks = (rows + block_rows - 1) / block_rows;

  // As the generic path: the norms in float32, then .add_(ε).rsqrt_().
  const float epsf = static_cast<float>(eps);
  a.eps = epsf;
  std::vector<float> rs(static_cast<size_t>(rows)), cs(static_cast<size_t>(cols));
  std::vector<double> col_part(static_cast<size_t>(blocks * cols), 0.0), scaled_part(col_part.size(), 0.0);
  for_row_blocks(rows, block_rows, [&](int64_t b, int64_t r0, int64_t r1) {
    double* col = col_part.data() + b * cols;
    double* scaled = scaled_part.data() + b * cols;
    if (fast) avx2::reg_sums_range(a, r0, r1, rs.data(), col, scaled);
    else baseline::reg_sums_range(a, r0, r1, rs.data(), col, scaled);
  });

  double square_sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    double sum = 0.0, scaled = 0.0;
    for (int64_t b = 0; b < blocks; ++b) {
      sum += col_part[b * cols + j];
      scaled += scaled_part[b * cols + j];
    }
    float c = 1.0f / std::sqrt(static_cast<float>(std::sqrt(sum)) + epsf);
    cs[j] = c;
    square_sum += static_cast<double>(c) * c * scaled;
  }
  a.rs = rs.data();
  a.cs = cs.data();
  double rms = std::sqrt(square_sum / static_cast<double>(rows * cols));
  a.scale = static_cast<float>(target_rms / (rms + eps));
  a.decay = static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0);
  a.lr = static_cast<float>(lr);

  for_row_blocks(rows, block_rows, [&](int64_t, int64_t r0, int64_t r1) {
    if (fast) avx2::reg_update_range(a, r0, r1);
    else baseline::reg_update_range(a, r0, r1);
  });
}

}  // namespace

extern "C" {

int tz_fused_adam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                   tz_tensor max_exp_avg_sq, double lr, double beta1, double beta2, double eps,
                   double weight_decay, int decoupled, int64_t step) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  if (max_exp_avg_sq) check_buffer(T(max_exp_avg_sq), "max_exp_avg_sq", n);
  if (step < 1) fail("fused Adam step: the step count must be at least 1, got " + std::to_string(step));
  double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  double bc2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  AdamArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq),
             max_exp_avg_sq ? data(max_exp_avg_sq) : nullptr,
             static_cast<float>(decoupled && weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0),
             static_cast<float>(decoupled ? 0.0 : weight_decay),
             static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
             static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
             static_cast<float>(std::sqrt(bc2)), static_cast<float>(eps), static_cast<float>(-lr / bc1)};
  if (decoupled) {
    if (a.vmax) adam<true, true>(a, n);
    else adam<true, false>(a, n);
  } else {
    if (a.vmax) adam<false, true>(a, n);
    else adam<false, false>(a, n);
  }
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_lion_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, double lr, double beta1, double beta2,
                   double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  LionArgs a{data(param), data(grad), data(exp_avg),
             static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0), static_cast<float>(lr),
             static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
             static_cast<float>(beta2), static_cast<float>(1.0 - beta2)};
  auto range = use_avx2() ? avx2::lion_range : baseline::lion_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_sgd_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, double lr, double momentum,
                  double dampening, int nesterov, double weight_decay, int first) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  if (momentum_buffer) check_buffer(T(momentum_buffer), "momentum_buffer", n);
  if (momentum != 0.0 && !momentum_buffer) fail("fused SGD step: momentum needs a momentum_buffer");
  if (nesterov && momentum == 0.0) fail("fused SGD step: Nesterov needs momentum");
  SgdArgs a{data(param), data(grad), momentum != 0.0 ? data(momentum_buffer) : nullptr, weight_decay != 0.0,
            static_cast<float>(weight_decay), static_cast<float>(momentum), static_cast<float>(1.0 - dampening),
            static_cast<float>(-lr)};
  if (momentum == 0.0) sgd<false, false, false>(a, n);
  else if (nesterov && first) sgd<true, true, true>(a, n);
  else if (nesterov) sgd<true, true, false>(a, n);
  else if (first) sgd<true, false, true>(a, n);
  else sgd<true, false, false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_nadam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double beta1, double beta2,
                    double eps, double weight_decay, double bias_correction2, double grad_coef, double momentum_coef) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  NAdamArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), weight_decay != 0.0,
              static_cast<float>(weight_decay), static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
              static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(bias_correction2),
              static_cast<float>(eps), static_cast<float>(grad_coef), static_cast<float>(momentum_coef)};
  auto range = use_avx2() ? avx2::nadam_range : baseline::nadam_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adamod_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, tz_tensor exp_avg_lr,
                     double beta1, double beta2, double beta3, double eps, double weight_decay, double step_scale) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  check_buffer(T(exp_avg_lr), "exp_avg_lr", n);
  AdaModArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), data(exp_avg_lr), weight_decay != 0.0,
               static_cast<float>(weight_decay), static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
               static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(beta3),
               static_cast<float>(1.0 - beta3), static_cast<float>(eps), static_cast<float>(step_scale)};
  auto range = use_avx2() ? avx2::adamod_range : baseline::adamod_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_rmsprop_(tz_tensor param, tz_tensor grad, tz_tensor square_avg, tz_tensor grad_avg, tz_tensor momentum_buffer,
                      double lr, double alpha, double eps, double momentum, double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(square_avg), "square_avg", n);
  if (grad_avg) check_buffer(T(grad_avg), "grad_avg", n);
  if (momentum_buffer) check_buffer(T(momentum_buffer), "momentum_buffer", n);
  if (momentum != 0.0 && !momentum_buffer) fail("fused RMSprop step: momentum needs a momentum_buffer");
  RmsPropArgs a{data(param), data(grad), data(square_avg), grad_avg ? data(grad_avg) : nullptr,
                momentum_buffer ? data(momentum_buffer) : nullptr, weight_decay != 0.0,
                static_cast<float>(weight_decay), static_cast<float>(alpha), static_cast<float>(1.0 - alpha),
                static_cast<float>(eps), static_cast<float>(momentum), static_cast<float>(-lr)};
  const bool centered = grad_avg != nullptr, with_momentum = momentum != 0.0;
  if (centered && with_momentum) rmsprop<true, true>(a, n);
  else if (centered) rmsprop<true, false>(a, n);
  else if (with_momentum) rmsprop<false, true>(a, n);
  else rmsprop<false, false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_radam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                    double beta2, double eps, double weight_decay, double bias_correction1, double bias_correction2,
                    int rectified, double rectification) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  RAdamArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), weight_decay != 0.0,
              static_cast<float>(weight_decay), static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
              static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(bias_correction1),
              static_cast<float>(lr), static_cast<float>(eps), static_cast<float>(std::sqrt(bias_correction2)),
              static_cast<float>(rectification)};
  if (rectified) radam<true>(a, n);
  else radam<false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adagrad_(tz_tensor param, tz_tensor grad, tz_tensor sum, double step_size, double eps, double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(sum), "sum", n);
  AdagradArgs a{data(param), data(grad), data(sum), weight_decay != 0.0, static_cast<float>(weight_decay),
                static_cast<float>(eps), static_cast<float>(-step_size)};
  auto range = use_avx2() ? avx2::adagrad_range : baseline::adagrad_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_grams_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                    double beta2, double eps, double weight_decay, int64_t step) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  if (step < 1) fail("fused Grams step: the step count must be at least 1, got " + std::to_string(step));
  double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  double bc2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  AdamArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), nullptr,
             static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0), 0.0f,
             static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
             static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
             static_cast<float>(std::sqrt(bc2)), static_cast<float>(eps), static_cast<float>(-lr / bc1)};
  auto range = use_avx2() ? avx2::grams_range : baseline::grams_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adopt_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                    double beta2, double eps, double weight_decay, int decoupled, int clip, double clip_bound) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  AdoptArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), !decoupled && weight_decay != 0.0,
              static_cast<float>(decoupled ? 0.0 : weight_decay),
              static_cast<float>(decoupled && weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0),
              static_cast<float>(eps), static_cast<float>(clip_bound),
              static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
              static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(lr)};
  auto range = clip ? (use_avx2() ? avx2::adopt_range<true> : baseline::adopt_range<true>)
                    : (use_avx2() ? avx2::adopt_range<false> : baseline::adopt_range<false>);
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_laprop_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                     double beta2, double eps, double weight_decay, double bias_correction2, double lr_average) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  LaPropArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq), lr_average > 0,
               static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0),
               static_cast<float>(beta1), static_cast<float>((1.0 - beta1) * lr),
               static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
               static_cast<float>(std::sqrt(bias_correction2)), static_cast<float>(eps),
               static_cast<float>(lr_average > 0 ? -(lr / lr_average) : 0.0)};
  auto range = use_avx2() ? avx2::laprop_range : baseline::laprop_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_rprop_(tz_tensor param, tz_tensor grad, tz_tensor prev, tz_tensor step_size, double eta_minus, double eta_plus,
                    double step_min, double step_max, double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(prev), "prev", n);
  check_buffer(T(step_size), "step_size", n);
  RpropArgs a{data(param), data(grad), data(prev), data(step_size), weight_decay != 0.0, static_cast<float>(weight_decay),
              static_cast<float>(eta_minus), static_cast<float>(eta_plus), static_cast<float>(step_min),
              static_cast<float>(step_max)};
  auto range = use_avx2() ? avx2::rprop_range : baseline::rprop_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adabelief_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_var, double beta1,
                        double beta2, double eps, double weight_decay, int decoupled, double decay_factor, int step,
                        double step_coefficient, double bias_correction2) {
  TZ_TRY
  if (step < 0 || step > 3) fail("AdaBelief step kind must be 0-3, got " + std::to_string(step));
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_var), "exp_avg_var", n);
  AdaBeliefArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_var), !decoupled && weight_decay != 0.0,
                  static_cast<float>(decay_factor), static_cast<float>(weight_decay), static_cast<float>(beta1),
                  static_cast<float>(1.0 - beta1), static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
                  static_cast<float>(eps), static_cast<float>(std::sqrt(bias_correction2)),
                  static_cast<float>(step_coefficient)};
  if (decoupled) adabelief<true>(a, n, step);
  else adabelief<false>(a, n, step);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adabound_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                       tz_tensor max_exp_avg_sq, double beta1, double beta2, double eps, double weight_decay,
                       double step_scale, double lower, double upper) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg), "exp_avg", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  if (max_exp_avg_sq) check_buffer(T(max_exp_avg_sq), "max_exp_avg_sq", n);
  if (std::isnan(lower) || std::isnan(upper)) fail("fused AdaBound step: the step bounds must not be NaN");
  AdaBoundArgs a{data(param), data(grad), data(exp_avg), data(exp_avg_sq),
                 max_exp_avg_sq ? data(max_exp_avg_sq) : nullptr, weight_decay != 0.0,
                 static_cast<float>(weight_decay), static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
                 static_cast<float>(beta2), static_cast<float>(1.0 - beta2), static_cast<float>(eps),
                 static_cast<float>(step_scale), static_cast<float>(lower), static_cast<float>(upper)};
  if (a.vmax) adabound<true>(a, n);
  else adabound<false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_adadelta_(tz_tensor param, tz_tensor grad, tz_tensor square_avg, tz_tensor acc_delta, double lr, double rho,
                       double eps, double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(square_avg), "square_avg", n);
  check_buffer(T(acc_delta), "acc_delta", n);
  AdadeltaArgs a{data(param), data(grad), data(square_avg), data(acc_delta), weight_decay != 0.0,
                 static_cast<float>(weight_decay), static_cast<float>(rho), static_cast<float>(1.0 - rho),
                 static_cast<float>(eps), static_cast<float>(-lr)};
  auto range = use_avx2() ? avx2::adadelta_range : baseline::adadelta_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_ademamix_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg_fast, tz_tensor exp_avg_slow,
                       tz_tensor exp_avg_sq, double lr, double beta1, double beta2, double beta3, double alpha,
                       double eps, double weight_decay, double bias_correction1, double bias_correction2) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(exp_avg_fast), "exp_avg_fast", n);
  check_buffer(T(exp_avg_slow), "exp_avg_slow", n);
  check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  AdEMAMixArgs a{data(param), data(grad), data(exp_avg_fast), data(exp_avg_slow), data(exp_avg_sq),
                 static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0),
                 static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
                 static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
                 static_cast<float>(beta3), static_cast<float>(1.0 - beta3), static_cast<float>(alpha),
                 static_cast<float>(bias_correction1), static_cast<float>(std::sqrt(bias_correction2)),
                 static_cast<float>(eps), static_cast<float>(-lr)};
  auto range = use_avx2() ? avx2::ademamix_range : baseline::ademamix_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { range(a, begin, end); });
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_sgdsai_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, double lr, double momentum,
                     double weight_decay, double gsnr, int first) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  if (momentum_buffer) check_buffer(T(momentum_buffer), "momentum_buffer", n);
  if (momentum != 0.0 && !momentum_buffer) fail("fused SGD-SaI step: momentum needs a momentum_buffer");
  SgdSaiArgs a{data(param), data(grad), momentum != 0.0 ? data(momentum_buffer) : nullptr,
               static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0), static_cast<float>(momentum),
               static_cast<float>(1.0 - momentum), static_cast<float>(-(lr * gsnr))};
  if (momentum == 0.0) sgdsai<false, false>(a, n);
  else if (first) sgdsai<true, true>(a, n);
  else sgdsai<true, false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_mars_(tz_tensor param, tz_tensor grad, tz_tensor last_grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                   double lr, double beta1, double beta2, double correction, double eps, double weight_decay,
                   double bias_correction1, double bias_correction2) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(last_grad), "last_grad", n);
  check_buffer(T(exp_avg), "exp_avg", n);
  if (exp_avg_sq) check_buffer(T(exp_avg_sq), "exp_avg_sq", n);
  at::Tensor c = at::empty_like(T(grad), at::MemoryFormat::Contiguous);
  MarsArgs a{data(param), data(grad), data(last_grad), c.data_ptr<float>(), data(exp_avg),
             exp_avg_sq ? data(exp_avg_sq) : nullptr, static_cast<float>(correction), 0.0f,
             static_cast<float>(beta1), static_cast<float>(1.0 - beta1),
             static_cast<float>(beta2), static_cast<float>(1.0 - beta2),
             static_cast<float>(weight_decay != 0.0 ? 1.0 - lr * weight_decay : 1.0), static_cast<float>(-lr),
             static_cast<float>(std::sqrt(bias_correction2)), static_cast<float>(eps),
             static_cast<float>(-lr / bias_correction1)};
  auto correct = use_avx2() ? avx2::mars_correction_range : baseline::mars_correction_range;
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) { correct(a, begin, end); });
  // The norm is ATen's float32 reduction over every dimension, the call the generic path's c.Norm() makes, so the
  // clipping below divides by the same float.
  std::vector<int64_t> every(static_cast<size_t>(c.dim()));
  for (int64_t d = 0; d < c.dim(); ++d) every[static_cast<size_t>(d)] = d;
  a.norm = at::linalg_vector_norm(c, 2.0, every, false, c10::nullopt).item<float>();
  const bool clip = static_cast<double>(a.norm) > 1.0, lion = exp_avg_sq == nullptr;
  if (lion && clip) mars_update<true, true>(a, n);
  else if (lion) mars_update<true, false>(a, n);
  else if (clip) mars_update<false, true>(a, n);
  else mars_update<false, false>(a, n);
  return 0;
  TZ_CATCH(-1)
}

int tz_fused_reg_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, int64_t rows, double lr,
                  double momentum, int nesterov, double target_rms, double eps, double weight_decay) {
  TZ_TRY
  const int64_t n = check_step(param, grad);
  check_buffer(T(momentum_buffer), "momentum_buffer", n);
  if (rows <= 0 || n % rows != 0)
    fail("fused REG step: " + std::to_string(n) + " elements do not form a matrix of " + std::to_string(rows) +
         " rows");
  if (n == 0) return 0;
  RegArgs a{data(param), data(grad), data(momentum_buffer), n / rows,
            static_cast<float>(1.0 - momentum), static_cast<float>(momentum), nesterov != 0,
            static_cast<float>(eps), nullptr, nullptr, 0.0f, 1.0f, 0.0f};
  reg(a, rows, eps, lr, weight_decay, target_rms);
  return 0;
  TZ_CATCH(-1)
}

}  // extern "C"
