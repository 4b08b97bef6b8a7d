// The loops of the fused optimizer steps, over a range of elements or rows. No include guard: fused_optim.cpp
// includes this file twice, once as plain x86-64 code (namespace baseline) and once compiled for AVX2 with FMA
// (namespace avx2). libtorch does the same with its own kernels and, where the CPU has AVX2, computes
// `a.add_(b, alpha)`, `addcmul_` and `lerp_` with one rounding (a fused multiply-add); madd() does what libtorch
// does on the same CPU, so the fused and generic paths agree bit for bit on the element-wise parts.
// Arithmetic is float32 in the generic path's order; the comments give the tensor op each line stands for.

namespace TZ_KERNEL_NS {

// a·b + c, rounded once where libtorch's kernels use an FMA (fp contraction is off for this file).
inline float madd(float a, float b, float c) {
#if TZ_KERNEL_FMA
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

// Adam's moments, m.mul_(β1).add_(g, 1 − β1) and v.mul_(β2).addcmul_(g, g, 1 − β2): every Adam-family loop's first
// step, rounded as libtorch rounds those two ops.
inline void adam_moments(float gi, float& m, float& v, float b1, float omb1, float b2, float omb2) {
  m = madd(gi, omb1, m * b1);
  v = madd(omb2 * gi, gi, v * b2);
}

// max(a, b) that keeps a NaN from either side, as vmax.maximum_(v) does (std::max drops a NaN in its second argument).
inline float nan_max(float a, float b) { return a != a ? a : (b != b ? b : (a < b ? b : a)); }

// The coupled (L2) weight decay of the loops that take it as a flag: g.add(p, λ) when λ ≠ 0.
inline float coupled_decay(float pi, float gi, bool decay, float wd) { return decay ? madd(pi, wd, gi) : gi; }

template <bool Decoupled, bool AmsGrad>
void adam_range(const AdamArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  float* __restrict vmax = a.vmax;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = g[i];
    if (Decoupled) pi = pi * a.decay;             // p.mul_(1 − ηλ)          (decay = 1 when λ = 0)
    else gi = madd(pi, a.wd, gi);                 // g.add(p, λ)              (wd = 0 when λ = 0)
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, a.b1, a.omb1, a.b2, a.omb2);
    m[i] = mi;
    v[i] = vi;
    if (AmsGrad) {
      vi = nan_max(vmax[i], vi);                  // vmax.maximum_(v)
      vmax[i] = vi;
    }
    float denom = std::sqrt(vi) / a.sqrt_bc2 + a.eps;  // v.sqrt().div_(√bc2).add_(ε)
    p[i] = pi + a.step * mi / denom;                   // p.addcdiv_(m, denom, −η/bc1)
  }
}

inline void lion_range(const LionArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  for (int64_t i = begin; i < end; ++i) {
    float gi = g[i];
    float mi = m[i];
    float c = madd(gi, a.omb1, mi * a.b1);                  // m.mul(β1).add_(g, 1 − β1)
    float s = static_cast<float>((c > 0.0f) - (c < 0.0f));  // .sign_()
    p[i] = madd(s, -a.lr, p[i] * a.decay);                  // p.mul_(1 − ηλ); p.sub_(s, η)
    m[i] = madd(gi, a.omb2, mi * a.b2);                     // m.mul_(β2).add_(g, 1 − β2)
  }
}

// SGD: First is the step that creates the momentum buffer (torch.optim.SGD: buf = d.clone()).
template <bool Momentum, bool Nesterov, bool First>
void sgd_range(const SgdArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict buf = a.buf;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float d = coupled_decay(pi, g[i], a.decay, a.wd);
    if (Momentum) {
      float b = First ? d : madd(d, a.damp, buf[i] * a.mu);  // buf = d.clone(), or buf.mul_(μ).add_(d, 1 − τ)
      buf[i] = b;
      d = Nesterov ? madd(b, a.mu, d) : b;                   // d.add(buf, μ), or buf
    }
    p[i] = madd(d, a.neg_lr, pi);  // p.sub_(d, η)
  }
}

// NAdam as torch.optim.NAdam 1.13 (single tensor); the schedule's two coefficients come from the caller.
inline void nadam_range(const NAdamArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  const bool decay = a.decay;
  const float wd = a.wd, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, bc2 = a.bc2, eps = a.eps;
  const float grad_coef = a.grad_coef, momentum_coef = a.momentum_coef;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, b1, omb1, b2, omb2);
    m[i] = mi;
    v[i] = vi;
    float denom = std::sqrt(vi / bc2) + eps;      // v.div(bc2).sqrt_().add_(ε)
    pi = pi + grad_coef * gi / denom;             // p.addcdiv_(g, denom, −η(1 − μ_t)/(1 − Π_t))
    p[i] = pi + momentum_coef * mi / denom;       // p.addcdiv_(m, denom, −ημ_{t+1}/(1 − Π_t·μ_{t+1}))
  }
}

// AdaMod as the official code: Adam's moments, per-element step s = c/(√v + ε) (c = η√bc2/bc1 from the caller), its
// EMA ŝ, θ ← θ − min(s, ŝ)·m. at::minimum propagates NaN, std::min would not: the ternaries keep NaN where ATen does.
inline void adamod_range(const AdaModArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  float* __restrict sa = a.sa;
  const bool decay = a.decay;
  const float wd = a.wd, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, b3 = a.b3, omb3 = a.omb3, eps = a.eps, c = a.c;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, b1, omb1, b2, omb2);
    m[i] = mi;
    v[i] = vi;
    float step = c / (std::sqrt(vi) + eps);       // ones.mul_(c).div_(v.sqrt().add_(ε))
    float avg = madd(step, omb3, sa[i] * b3);     // ŝ.mul_(β3).add_(s, 1 − β3)
    sa[i] = avg;
    float bounded = step != step ? step : (avg != avg ? avg : (avg < step ? avg : step));  // s.minimum_(ŝ)
    p[i] = pi - bounded * mi;                     // .mul_(m); p.sub_(s)
  }
}

// RMSprop as torch.optim.RMSprop (single tensor). Centered: with the running mean ḡ; Momentum: with the buffer b.
template <bool Centered, bool Momentum>
void rmsprop_range(const RmsPropArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict sq = a.sq;
  float* __restrict ga = a.ga;
  float* __restrict buf = a.buf;
  const bool decay = a.decay;
  const float wd = a.wd, alpha = a.alpha, oma = a.oma, eps = a.eps, mu = a.mu, neg_lr = a.neg_lr;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float s = madd(oma * gi, gi, sq[i] * alpha);   // v.mul_(α).addcmul_(g, g, 1 − α)
    sq[i] = s;
    float avg;
    if (Centered) {
      float m = madd(gi, oma, ga[i] * alpha);      // ḡ.mul_(α).add_(g, 1 − α)
      ga[i] = m;
      avg = std::sqrt(madd(-m, m, s));             // v.addcmul(ḡ, ḡ, −1).sqrt_()
    } else {
      avg = std::sqrt(s);                          // v.sqrt()
    }
    avg = avg + eps;                               // .add_(ε)
    if (Momentum) {
      float b = buf[i] * mu + gi / avg;            // b.mul_(μ).addcdiv_(g, avg)
      buf[i] = b;
      p[i] = madd(b, neg_lr, pi);                  // p.sub_(b, η)
    } else {
      p[i] = pi + neg_lr * gi / avg;               // p.addcdiv_(g, avg, −η)
    }
  }
}

// RAdam as torch.optim.RAdam 1.13 (single tensor). Rectified: ρ_t > 5, the adaptive step scaled by r_t; otherwise
// the un-adapted momentum step. bc1, lr, √bc2 and r_t are the generic path's double scalars rounded to float32.
template <bool Rectified>
void radam_range(const RAdamArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  const bool decay = a.decay;
  const float wd = a.wd, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, bc1 = a.bc1, lr = a.lr, eps = a.eps;
  const float sqrt_bc2 = a.sqrt_bc2, rect = a.rect;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, b1, omb1, b2, omb2);
    m[i] = mi;
    v[i] = vi;
    float u = mi / bc1 * lr;                                    // m.div(bc1).mul_(η)
    if (Rectified) {
      float adaptive = 1.0f / (std::sqrt(vi) + eps) * sqrt_bc2;  // v.sqrt().add_(ε).reciprocal_().mul_(√bc2)
      u = u * adaptive * rect;                                  // update.mul_(adaptive).mul_(r_t)
    }
    p[i] = pi - u;                                              // p.sub_(update)
  }
}

// AdaBound as the official code: Adam's moments (with AMSBound, v ← max(vmax, v)), per-element step
// s = c/(√v + ε) (c = η√bc2/bc1 from the caller) clipped to [lower, upper], θ ← θ − s·m. The max and the clip keep
// NaN as at::maximum and at::clamp do (the caller never passes a NaN bound: ATen fills the result with NaN then).
template <bool AmsBound>
void adabound_range(const AdaBoundArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  float* __restrict vmax = a.vmax;
  const bool decay = a.decay;
  const float wd = a.wd, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, eps = a.eps, c = a.c;
  const float lower = a.lower, upper = a.upper;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, b1, omb1, b2, omb2);
    m[i] = mi;
    v[i] = vi;
    if (AmsBound) {
      vi = nan_max(vmax[i], vi);  // vmax.maximum_(v)
      vmax[i] = vi;
    }
    float step = c / (std::sqrt(vi) + eps);  // ones.mul_(c).div_(v.sqrt().add_(ε))
    step = step < lower ? lower : step;      // .clamp_(lower, upper), as ATen's min(upper, max(lower, s))
    step = upper < step ? upper : step;
    p[i] = pi - step * mi;                   // .mul_(m); p.sub_(s)
  }
}

// Adagrad as torch.optim.Adagrad 1.13 (single tensor): g ← g + λθ; s ← s + g²; θ ← θ + c·g/(√s + ε), c = −η/(1 + (t−1)δ).
inline void adagrad_range(const AdagradArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict sum = a.sum;
  const bool decay = a.decay;
  const float wd = a.wd, eps = a.eps, c = a.c;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float si = madd(gi, gi, sum[i]);         // s.addcmul_(g, g)
    sum[i] = si;
    p[i] = pi + c * gi / (std::sqrt(si) + eps);  // p.addcdiv_(g, s.sqrt().add_(ε), c)
  }
}

// torch.sign's value for float32: (0 < x) − (x < 0), so 0 for ±0 and for NaN.
inline float sign_of(float x) { return static_cast<float>((0.f < x) - (x < 0.f)); }

// Rprop as torch.optim.Rprop 1.13 (iRprop−), with TorchZoo's optional coupled decay g + λθ: s = sign(g·g_prev) picks
// the factor η+ (s > 0), η− (s < 0) or 1; step ← clamp(step·factor, lo, hi) (a NaN step stays NaN, as clamp_ keeps
// it); where s < 0 the gradient is forgotten (d = 0), else d = g; θ ← θ − sign(d)·step; g_prev ← d.
inline void rprop_range(const RpropArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict prev = a.prev;
  float* __restrict step = a.step;
  const bool decay = a.decay;
  const float wd = a.wd, eta_minus = a.eta_minus, eta_plus = a.eta_plus, lo = a.lo, hi = a.hi;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float s = sign_of(gi * prev[i]);                       // g.mul(prev).sign_()
    float factor = s > 0 ? eta_plus : (s < 0 ? eta_minus : 1.f);
    float st = step[i] * factor;                           // step.mul_(factor)
    st = st < lo ? lo : st;                                // .clamp_(lo, hi)
    st = hi < st ? hi : st;
    step[i] = st;
    float d = s < 0 ? 0.f : gi;                            // g.masked_fill(flipped, 0)
    p[i] = madd(-1.f * sign_of(d), st, pi);                // p.addcmul_(d.sign(), step, −1)
    prev[i] = d;
  }
}

// Grams (arXiv 2412.17107): Adam's moments and step size, the current gradient's sign. θ·(1 − ηλ) (decay = 1 when
// λ = 0), m and v as Adam, then θ ← θ + c·sign(g)·|m/(√v/√bc2 + ε)| with c = −η/bc1 (a.step).
inline void grams_range(const AdamArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i] * a.decay;                         // p.mul_(1 − ηλ)
    float gi = g[i];
    float mi = m[i], vi = v[i];
    adam_moments(gi, mi, vi, a.b1, a.omb1, a.b2, a.omb2);
    m[i] = mi;
    v[i] = vi;
    float denom = std::sqrt(vi) / a.sqrt_bc2 + a.eps;  // v.sqrt().div_(√bc2).add_(ε)
    float magnitude = std::fabs(mi / denom);           // m.div(denom).abs_()
    p[i] = madd(magnitude * sign_of(gi), a.step, pi);  // p.sub_(|u|·sign(g), η/bc1)
  }
}

// LaProp (Ziyin et al., arXiv 2002.04839): θ·(1 − ηλ); v as Adam's; m ← β1m + c·g/(√v/√bc2 + ε) with c = (1−β1)η
// (momentum over the normalized gradient); θ ← θ − (η/η̄)·m where η̄ is the EMA of the learning rates (skipped while
// η̄ = 0).
inline void laprop_range(const LaPropArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  const bool move = a.move;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i] * a.decay;                         // p.mul_(1 − ηλ)
    float gi = g[i];
    float vi = madd(a.omb2 * gi, gi, v[i] * a.b2);     // v.mul_(β2).addcmul_(g, g, 1 − β2)
    v[i] = vi;
    float denom = std::sqrt(vi) / a.sqrt_bc2 + a.eps;  // v.sqrt().div_(√bc2).add_(ε)
    float mi = m[i] * a.b1 + a.c * gi / denom;         // m.mul_(β1).addcdiv_(g, denom, c)
    m[i] = mi;
    p[i] = move ? madd(mi, a.step, pi) : pi;           // p.sub_(m, η/η̄)
  }
}

// ADOPT (Taniguchi et al., arXiv 2411.02853) after its initializing step: g + λθ (coupled) or θ·(1 − ηλ) (decoupled);
// n = g / max(√v, ε), clipped to ±c when asked; m ← β1m + (1−β1)n; θ ← θ − ηm; then v ← β2v + (1−β2)g² (v lags by one
// step, the point of the method).
template <bool Clip>
void adopt_range(const AdoptArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  const bool decay = a.decay;
  const float wd = a.wd, eps = a.eps, c = a.c;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);  // g.add(p, λ) (coupled only)
    pi = pi * a.pdecay;                             // p.mul_(1 − ηλ) (decoupled only; 1 otherwise)
    float vi = v[i];
    float s = std::sqrt(vi);
    s = s < eps ? eps : s;                          // v.sqrt().clamp_(min: ε)
    float ni = gi / s;                              // g.div(·)
    if (Clip) {
      ni = ni < -c ? -c : ni;                       // .clamp_(−c, c)
      ni = c < ni ? c : ni;
    }
    float mi = madd(ni, a.omb1, m[i] * a.b1);       // m.mul_(β1).add_(n, 1 − β1)
    m[i] = mi;
    p[i] = madd(mi, -a.lr, pi);                     // p.sub_(m, η)
    v[i] = madd(a.omb2 * gi, gi, vi * a.b2);        // v.mul_(β2).addcmul_(g, g, 1 − β2)
  }
}

// AdaBelief as the official v0.2 code: decay (decoupled θ·(1 − ηλ), or coupled g + λθ), m ← β1m + (1−β1)g,
// s ← β2s + (1−β2)(g − m)² + ε, then the step the caller chose from ρ_t: Adam's θ + c·m/(√s/√bc2 + ε) (c = −η/bc1),
// the rectified θ + c·m/(√s + ε) (c = −η·r_t), the SGD-momentum θ + c·m (c = −η/bc1), or none.
enum AdaBeliefStep { kAdaBeliefAdam, kAdaBeliefRectified, kAdaBeliefSgd, kAdaBeliefNone };

template <bool Decoupled, int Step>
void adabelief_range(const AdaBeliefArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict s = a.s;
  const bool decay = a.decay;
  const float keep = a.keep, wd = a.wd, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, eps = a.eps;
  const float sqrt_bc2 = a.sqrt_bc2, c = a.c;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = g[i];
    if (Decoupled) pi = pi * keep;                       // p.mul_(1 − ηλ)      (keep = 1 when λ = 0)
    else gi = coupled_decay(pi, gi, decay, wd);          // g.add(p, λ)
    float mi = madd(gi, omb1, m[i] * b1);                // m.mul_(β1).add_(g, 1 − β1)
    float r = gi - mi;                                   // g.sub(m)
    float si = madd(omb2 * r, r, s[i] * b2) + eps;       // s.mul_(β2).addcmul_(r, r, 1 − β2).add_(ε)
    m[i] = mi;
    s[i] = si;
    if (Step == kAdaBeliefAdam) pi = pi + c * mi / (std::sqrt(si) / sqrt_bc2 + eps);  // p.addcdiv_(m, s.sqrt().div_(√bc2).add_(ε), c)
    else if (Step == kAdaBeliefRectified) pi = pi + c * mi / (std::sqrt(si) + eps);  // p.addcdiv_(m, s.sqrt().add_(ε), c)
    else if (Step == kAdaBeliefSgd) pi = madd(mi, c, pi);                          // p.sub_(m, η/bc1)
    p[i] = pi;
  }
}

// Adadelta as torch.optim.Adadelta 1.13 (single tensor): the squared-gradient average v, the step
// Δ = √(u + ε)/√(v + ε)·g, the squared-step average u, θ ← θ − ηΔ.
inline void adadelta_range(const AdadeltaArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict sq = a.sq;
  float* __restrict acc = a.acc;
  const bool decay = a.decay;
  const float wd = a.wd, rho = a.rho, omr = a.omr, eps = a.eps, neg_lr = a.neg_lr;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i];
    float gi = coupled_decay(pi, g[i], decay, wd);
    float s = madd(omr * gi, gi, sq[i] * rho);        // v.mul_(ρ).addcmul_(g, g, 1 − ρ)
    sq[i] = s;
    float std_dev = std::sqrt(s + eps);                // v.add(ε).sqrt_()
    float ui = acc[i];
    float d = std::sqrt(ui + eps) / std_dev * gi;      // u.add(ε).sqrt_().div_(std).mul_(g)
    acc[i] = madd(omr * d, d, ui * rho);               // u.mul_(ρ).addcmul_(Δ, Δ, 1 − ρ)
    p[i] = madd(d, neg_lr, pi);                        // p.sub_(Δ, η)
  }
}

// AdEMAMix (Algorithm 1): decoupled decay, the fast EMA m1 (β1), the slow EMA m2 (β3_t), v (β2);
// θ ← θ − η(m1/bc1 + α_t·m2)/(√v/√bc2 + ε). α_t and β3_t (warmups) come from the caller.
inline void ademamix_range(const AdEMAMixArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict m1 = a.m1;
  float* __restrict m2 = a.m2;
  float* __restrict v = a.v;
  const float decay = a.decay, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, b3 = a.b3, omb3 = a.omb3;
  const float alpha = a.alpha, bc1 = a.bc1, sqrt_bc2 = a.sqrt_bc2, eps = a.eps, neg_lr = a.neg_lr;
  for (int64_t i = begin; i < end; ++i) {
    float pi = p[i] * decay;                     // p.mul_(1 − ηλ)           (decay = 1 when λ = 0)
    float gi = g[i];
    float fast = m1[i], vi = v[i];
    adam_moments(gi, fast, vi, b1, omb1, b2, omb2);
    float slow = madd(gi, omb3, m2[i] * b3);     // m2.mul_(β3).add_(g, 1 − β3)
    m1[i] = fast;
    m2[i] = slow;
    v[i] = vi;
    float num = madd(slow, alpha, fast / bc1);   // m1.div(bc1).add_(m2, α)
    float denom = std::sqrt(vi) / sqrt_bc2 + eps;  // v.sqrt().div_(√bc2).add_(ε)
    p[i] = pi + neg_lr * num / denom;            // p.addcdiv_(num, denom, −η)
  }
}

// SGD-SaI: decoupled decay and momentum as an EMA (First: the step that creates the buffer, buf = g.clone()), then
// θ ← θ − η·gsnr·b with the tensor's gsnr (a reduction, from the caller) folded into neg_step = −η·gsnr.
template <bool Momentum, bool First>
void sgdsai_range(const SgdSaiArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict buf = a.buf;
  const float decay = a.decay, mu = a.mu, omm = a.omm, neg_step = a.neg_step;
  for (int64_t i = begin; i < end; ++i) {
    float d = g[i];
    if (Momentum) {
      float b = First ? d : madd(d, omm, buf[i] * mu);  // buf = g.clone(), or buf.mul_(μ).add_(g, 1 − μ)
      buf[i] = b;
      d = b;
    }
    p[i] = madd(d, neg_step, p[i] * decay);  // p.mul_(1 − ηλ); p.sub_(d, η·gsnr)
  }
}

// MARS, pass 1: the corrected gradient c = (g − g_prev)·k + g (k = γβ1/(1 − β1)) into the scratch buffer, whose
// norm the caller then takes with ATen's own reduction, as the generic path does.
inline void mars_correction_range(const MarsArgs& a, int64_t begin, int64_t end) {
  const float* __restrict g = a.g;
  const float* __restrict prev = a.prev;
  float* __restrict c = a.c;
  const float k = a.k;
  for (int64_t i = begin; i < end; ++i) c[i] = (g[i] - prev[i]) * k + g[i];  // g.sub(g_prev).mul_(k).add_(g)
}

// MARS, pass 2. Clip: ‖c‖ > 1 and c is divided by it; Lion: the Lion flavour (no second moment).
template <bool Lion, bool Clip>
void mars_update_range(const MarsArgs& a, int64_t begin, int64_t end) {
  float* __restrict p = a.p;
  const float* __restrict g = a.g;
  float* __restrict prev = a.prev;
  const float* __restrict c = a.c;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  const float norm = a.norm, b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, decay = a.decay, neg_lr = a.neg_lr;
  const float sqrt_bc2 = a.sqrt_bc2, eps = a.eps, step = a.step;
  for (int64_t i = begin; i < end; ++i) {
    float ci = c[i];
    if (Clip) ci = ci / norm;               // c.div_(‖c‖)
    prev[i] = g[i];                         // g_prev.copy_(g)
    float mi = madd(ci, omb1, m[i] * b1);   // m.mul_(β1).add_(c, 1 − β1)
    m[i] = mi;
    float pi = p[i] * decay;                // p.mul_(1 − ηλ)           (decay = 1 when λ = 0)
    if (Lion) {
      float s = static_cast<float>((mi > 0.0f) - (mi < 0.0f));  // m.sign()
      p[i] = madd(s, neg_lr, pi);                               // p.sub_(sign, η)
    } else {
      float vi = madd(omb2 * ci, ci, v[i] * b2);     // v.mul_(β2).addcmul_(c, c, 1 − β2)
      v[i] = vi;
      float denom = std::sqrt(vi) / sqrt_bc2 + eps;  // v.sqrt().div_(√bc2).add_(ε)
      p[i] = pi + step * mi / denom;                 // p.addcdiv_(m, denom, −η/bc1)
    }
  }
}

// REG's loops copy every scalar of RegArgs into a local first: read through the reference inside the loop, GCC
// cannot rule out that a store to the parameter or momentum changes them, reloads them per element and leaves the
// loop scalar (measured: ~470 ms for the 85M ViT-B set, 15% of memory bandwidth).

// at::lerp's formula (ATen/native/Lerp.h) with its branch (|weight| < 0.5) chosen by the caller: the choice depends
// only on the weight, and with the branch inside the loop GCC leaves REG's loops scalar.
template <bool SmallWeight>
inline float lerp_by(float self, float end, float weight) {
  return SmallWeight ? madd(weight, end - self, self) : madd(-(end - self), 1.0f - weight, end);
}

// One row of pass 1. SmallWeight: momentum's lerp weight 1 − μ is below 0.5; SmallMu: Nesterov's weight μ is.
template <bool Nesterov, bool SmallWeight, bool SmallMu>
inline double reg_sums_row(const float* __restrict gr, float* __restrict mr, int64_t cols, float weight, float mu,
                           double* __restrict col) {
  double acc = 0.0;
#pragma omp simd reduction(+ : acc)
  for (int64_t j = 0; j < cols; ++j) {
    float mi = lerp_by<SmallWeight>(mr[j], gr[j], weight);
    mr[j] = mi;
    float u = Nesterov ? lerp_by<SmallMu>(gr[j], mi, mu) : mi;
    double u2 = static_cast<double>(u) * u;
    acc += u2;
    col[j] += u2;
  }
  return acc;
}

template <bool Nesterov, bool SmallMu>
inline void reg_scaled_row(const float* __restrict gr, const float* __restrict mr, int64_t cols, float mu, double ri2,
                           double* __restrict col_scaled) {
#pragma omp simd
  for (int64_t j = 0; j < cols; ++j) {
    double u = Nesterov ? lerp_by<SmallMu>(gr[j], mr[j], mu) : mr[j];
    col_scaled[j] += ri2 * (u * u);
  }
}

template <bool Nesterov, bool SmallWeight, bool SmallMu>
inline void reg_sums_rows(const RegArgs& a, int64_t r0, int64_t r1, float* __restrict rs_out, double* __restrict col,
                          double* __restrict col_scaled) {
  const int64_t cols = a.cols;
  const float weight = a.weight, mu = a.mu, eps = a.eps;
  for (int64_t r = r0; r < r1; ++r) {
    const float* gr = a.g + r * cols;
    float* mr = a.m + r * cols;
    double acc = reg_sums_row<Nesterov, SmallWeight, SmallMu>(gr, mr, cols, weight, mu, col);
    const float ri = 1.0f / std::sqrt(static_cast<float>(std::sqrt(acc)) + eps);
    rs_out[r] = ri;
    reg_scaled_row<Nesterov, SmallMu>(gr, mr, cols, mu, static_cast<double>(ri) * ri, col_scaled);
  }
}

// Pass 1 over rows [r0, r1): momentum.lerp_(g, 1 − μ); per row, Σ_j u² gives rs_i = (‖u_i,:‖ + ε)^−½ (written to
// rs_out, float32 as the generic path's norm.add_(ε).rsqrt_()); per column, col accumulates Σ_i u² and col_scaled
// Σ_i rs_i²·u². The row is still in cache for the second loop, so Σ X² = Σ_j cs_j²·col_scaled_j needs no pass of
// its own over memory.
inline void reg_sums_range(const RegArgs& a, int64_t r0, int64_t r1, float* __restrict rs_out, double* __restrict col,
                           double* __restrict col_scaled) {
  const bool small_weight = std::abs(a.weight) < 0.5f, small_mu = std::abs(a.mu) < 0.5f;
  if (!a.nesterov) {
    if (small_weight) reg_sums_rows<false, true, false>(a, r0, r1, rs_out, col, col_scaled);
    else reg_sums_rows<false, false, false>(a, r0, r1, rs_out, col, col_scaled);
  } else if (small_weight) {
    if (small_mu) reg_sums_rows<true, true, true>(a, r0, r1, rs_out, col, col_scaled);
    else reg_sums_rows<true, true, false>(a, r0, r1, rs_out, col, col_scaled);
  } else {
    if (small_mu) reg_sums_rows<true, false, true>(a, r0, r1, rs_out, col, col_scaled);
    else reg_sums_rows<true, false, false>(a, r0, r1, rs_out, col, col_scaled);
  }
}

template <bool Nesterov, bool SmallMu>
inline void reg_update_rows(const RegArgs& a, int64_t r0, int64_t r1) {
  const int64_t cols = a.cols;
  const float* __restrict cs = a.cs;
  const float mu = a.mu, scale = a.scale, neg_lr = -a.lr, decay = a.decay;
  for (int64_t r = r0; r < r1; ++r) {
    const float* __restrict gr = a.g + r * cols;
    const float* __restrict mr = a.m + r * cols;
    float* __restrict pr = a.p + r * cols;
    const float ri = a.rs[r];
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j) {
      float u = Nesterov ? lerp_by<SmallMu>(gr[j], mr[j], mu) : mr[j];
      float x = u * ri * cs[j] * scale;        // u.mul(rs).mul_(cs); X.mul_(ρ/(RMS + ε))
      pr[j] = madd(x, neg_lr, pr[j] * decay);  // p.mul_(1 − ηλ); p.sub_(X, η)
    }
  }
}

// Pass 2 over rows [r0, r1): θ ← θ·(1 − ηλ) − η·X·scale with X = u·rs_i·cs_j.
inline void reg_update_range(const RegArgs& a, int64_t r0, int64_t r1) {
  if (!a.nesterov) reg_update_rows<false, false>(a, r0, r1);
  else if (std::abs(a.mu) < 0.5f) reg_update_rows<true, true>(a, r0, r1);
  else reg_update_rows<true, false>(a, r0, r1);
}

}  // namespace TZ_KERNEL_NS
