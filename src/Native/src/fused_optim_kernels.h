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

// at::lerp's formula (ATen/native/Lerp.h).
inline float lerp(float self, float end, float weight) {
  return std::abs(weight) < 0.5f ? madd(weight, end - self, self) : madd(-(end - self), 1.0f - weight, end);
}

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
    float mi = madd(gi, a.omb1, m[i] * a.b1);     // m.mul_(β1).add_(g, 1 − β1)
    float vi = madd(a.omb2 * gi, gi, v[i] * a.b2);  // v.mul_(β2).addcmul_(g, g, 1 − β2)
    m[i] = mi;
    v[i] = vi;
    if (AmsGrad) {
      vi = std::max(vmax[i], vi);                 // vmax.maximum_(v)
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
    float d = a.decay ? madd(pi, a.wd, g[i]) : g[i];  // g.add(p, λ)
    if (Momentum) {
      float b = First ? d : madd(d, a.damp, buf[i] * a.mu);  // buf = d.clone(), or buf.mul_(μ).add_(d, 1 − τ)
      buf[i] = b;
      d = Nesterov ? madd(b, a.mu, d) : b;                   // d.add(buf, μ), or buf
    }
    p[i] = madd(d, a.neg_lr, pi);  // p.sub_(d, η)
  }
}

inline float reg_direction(const RegArgs& a, float gi, float mi) { return a.nesterov ? lerp(gi, mi, a.mu) : mi; }

// Pass 1 over rows [r0, r1): momentum.lerp_(g, 1 − μ); u² summed per row (row_sq) and per column (col).
inline void reg_sums_range(const RegArgs& a, int64_t r0, int64_t r1, double* __restrict row_sq, double* __restrict col) {
  const int64_t cols = a.cols;
  for (int64_t r = r0; r < r1; ++r) {
    const float* __restrict gr = a.g + r * cols;
    float* __restrict mr = a.m + r * cols;
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int64_t j = 0; j < cols; ++j) {
      float mi = lerp(mr[j], gr[j], a.weight);
      mr[j] = mi;
      float u = reg_direction(a, gr[j], mi);
      double u2 = static_cast<double>(u) * u;
      acc += u2;
      col[j] += u2;
    }
    row_sq[r] = acc;
  }
}

// Pass 2 over rows [r0, r1): Σ X², X = u·rs_i·cs_j (u recomputed from g and the updated momentum).
inline double reg_square_sum_range(const RegArgs& a, int64_t r0, int64_t r1) {
  const int64_t cols = a.cols;
  const float* __restrict cs = a.cs;
  double acc = 0.0;
  for (int64_t r = r0; r < r1; ++r) {
    const float* __restrict gr = a.g + r * cols;
    const float* __restrict mr = a.m + r * cols;
    float ri = a.rs[r];
    double racc = 0.0;
#pragma omp simd reduction(+ : racc)
    for (int64_t j = 0; j < cols; ++j) {
      float x = reg_direction(a, gr[j], mr[j]) * ri * cs[j];  // u.mul(rs).mul_(cs)
      racc += static_cast<double>(x) * x;
    }
    acc += racc;
  }
  return acc;
}

// Pass 3 over rows [r0, r1): θ ← θ·(1 − ηλ) − η·X·scale.
inline void reg_update_range(const RegArgs& a, int64_t r0, int64_t r1) {
  const int64_t cols = a.cols;
  const float* __restrict cs = a.cs;
  for (int64_t r = r0; r < r1; ++r) {
    const float* __restrict gr = a.g + r * cols;
    const float* __restrict mr = a.m + r * cols;
    float* __restrict pr = a.p + r * cols;
    float ri = a.rs[r];
    for (int64_t j = 0; j < cols; ++j) {
      float x = reg_direction(a, gr[j], mr[j]) * ri * cs[j] * a.scale;  // X.mul_(ρ/(RMS + ε))
      pr[j] = madd(x, -a.lr, pr[j] * a.decay);                          // p.mul_(1 − ηλ); p.sub_(X, η)
    }
  }
}

}  // namespace TZ_KERNEL_NS
