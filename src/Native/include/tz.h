/*
 * TorchZoo native shim: the C ABI over libtorch that TorchZoo.Torch calls through P/Invoke.
 *
 * Conventions
 *  - Every export is prefixed tz_ and never lets a C++ exception escape. On failure a function
 *    that returns a tensor returns NULL and one that returns int returns -1; tz_last_error() then
 *    holds libtorch's message (without its C++ backtrace) for the calling thread.
 *  - A tz_tensor is a heap-allocated at::Tensor owned by the caller: free it with tz_tensor_free.
 *  - dtype codes are c10::ScalarType values; device types are c10::DeviceType values (CPU 0, CUDA 1).
 *  - Operation families take an op code (tz_unary_op, tz_binary_op, tz_reduce_op, ...) so the ABI
 *    stays a few dozen entries instead of hundreds of one-liners.
 */
#ifndef TZ_H
#define TZ_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TZ_API __attribute__((visibility("default")))

typedef void* tz_tensor;
typedef void* tz_generator;

/* ---- errors, runtime ---------------------------------------------------------------------- */
TZ_API const char* tz_last_error(void);
TZ_API int64_t tz_live_tensors(void);
TZ_API const char* tz_version(void);
TZ_API void tz_set_num_threads(int n);
TZ_API int tz_get_num_threads(void);
TZ_API int tz_shim_parallel_threads(void);
/* glibc malloc: blocks of at least mmap_threshold bytes (<= 32 MB) are mmapped and unmapped on free; up to
   trim_threshold freed bytes stay in the heap. Returns 0, or -1 when rejected or not glibc. */
TZ_API int tz_keep_freed_memory(int64_t mmap_threshold, int64_t trim_threshold);
TZ_API int tz_cuda_is_available(void);
TZ_API int tz_cuda_device_count(void);

/* ---- tensor lifetime and properties ------------------------------------------------------- */
TZ_API void tz_tensor_free(tz_tensor t);
TZ_API int tz_dim(tz_tensor t);
TZ_API int tz_shape(tz_tensor t, int64_t* out, int cap);
TZ_API int tz_strides(tz_tensor t, int64_t* out, int cap);
TZ_API int64_t tz_numel(tz_tensor t);
TZ_API int tz_dtype(tz_tensor t);
TZ_API int tz_device(tz_tensor t, int* device_type, int* device_index);
TZ_API int tz_is_contiguous(tz_tensor t);
TZ_API void* tz_data_ptr(tz_tensor t);
TZ_API int tz_copy_to_buffer(tz_tensor t, void* dst, int64_t bytes);
TZ_API int tz_copy_from_buffer(tz_tensor t, const void* src, int64_t bytes);
TZ_API int tz_item(tz_tensor t, double* out);
TZ_API int tz_item_int64(tz_tensor t, int64_t* out);
TZ_API int tz_equal(tz_tensor a, tz_tensor b);
TZ_API int tz_allclose(tz_tensor a, tz_tensor b, double rtol, double atol, int equal_nan);

/* ---- creation ----------------------------------------------------------------------------- */
TZ_API tz_tensor tz_from_buffer(const void* data, int dtype, const int64_t* shape, int ndim,
                                int device_type, int device_index);
TZ_API tz_tensor tz_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index);
TZ_API tz_tensor tz_full(const int64_t* shape, int ndim, double value, int dtype, int device_type,
                         int device_index);
TZ_API tz_tensor tz_arange(double start, double end, double step, int dtype, int device_type,
                           int device_index);
TZ_API tz_tensor tz_linspace(double start, double end, int64_t steps, int dtype, int device_type,
                             int device_index);
TZ_API tz_tensor tz_eye(int64_t n, int64_t m, int dtype, int device_type, int device_index);
/* kind: 0 empty_like, 1 zeros_like, 2 ones_like, 3 rand_like, 4 randn_like */
TZ_API tz_tensor tz_like(tz_tensor t, int kind, int dtype /* -1 = same */);

/* ---- random ------------------------------------------------------------------------------- */
TZ_API void tz_manual_seed(uint64_t seed);
TZ_API tz_generator tz_generator_new(uint64_t seed);
TZ_API void tz_generator_free(tz_generator g);
/* a new handle sharing libtorch's default CPU generator (the one used when no generator is passed) */
TZ_API tz_generator tz_default_generator(void);
TZ_API int tz_generator_set_seed(tz_generator g, uint64_t seed);
TZ_API uint64_t tz_generator_seed(tz_generator g);
TZ_API tz_tensor tz_generator_get_state(tz_generator g);
TZ_API int tz_generator_set_state(tz_generator g, tz_tensor state);
/* g may be NULL for the default generator. kind: 0 rand, 1 randn */
TZ_API tz_tensor tz_random(int kind, const int64_t* shape, int ndim, int dtype, int device_type,
                           int device_index, tz_generator g);
TZ_API tz_tensor tz_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype,
                            int device_type, int device_index, tz_generator g);
TZ_API tz_tensor tz_randperm(int64_t n, int device_type, int device_index, tz_generator g);
/* in place. kind: 0 uniform_(a, b), 1 normal_(mean=a, std=b), 2 bernoulli_(p=a) */
TZ_API int tz_random_(tz_tensor t, int kind, double a, double b, tz_generator g);

/* ---- elementwise -------------------------------------------------------------------------- */
enum tz_unary_op {
  TZ_NEG, TZ_ABS, TZ_SIGN, TZ_SQRT, TZ_RSQRT, TZ_EXP, TZ_LOG, TZ_SIN, TZ_COS, TZ_TANH,
  TZ_SIGMOID, TZ_RELU, TZ_GELU, TZ_GELU_TANH, TZ_SILU, TZ_RECIPROCAL, TZ_SQUARE, TZ_FLOOR,
  TZ_CEIL, TZ_ROUND, TZ_LOG1P, TZ_EXPM1, TZ_ERF, TZ_ISNAN, TZ_ISINF, TZ_ISFINITE,
  TZ_LOGICAL_NOT, TZ_LOG2, TZ_TRUNC, TZ_ZERO, TZ_SOFTPLUS, TZ_ERFINV
};
TZ_API tz_tensor tz_unary(int op, tz_tensor x);
TZ_API int tz_unary_(int op, tz_tensor x);

enum tz_binary_op {
  TZ_ADD, TZ_SUB, TZ_MUL, TZ_DIV, TZ_POW, TZ_MAXIMUM, TZ_MINIMUM, TZ_EQ, TZ_NE, TZ_LT, TZ_LE,
  TZ_GT, TZ_GE, TZ_LOGICAL_AND, TZ_LOGICAL_OR, TZ_LOGICAL_XOR, TZ_ATAN2, TZ_FMOD, TZ_REMAINDER,
  TZ_COPY /* in place only: a.copy_(b) */
};
/* alpha scales b for ADD/SUB and is ignored otherwise */
TZ_API tz_tensor tz_binary(int op, tz_tensor a, tz_tensor b, double alpha);
TZ_API int tz_binary_(int op, tz_tensor a, tz_tensor b, double alpha);
TZ_API tz_tensor tz_binary_scalar(int op, tz_tensor a, double b);
TZ_API int tz_binary_scalar_(int op, tz_tensor a, double b);
/* scalar op tensor, for ops where order matters (SUB, DIV, POW) */
TZ_API tz_tensor tz_scalar_binary(int op, double a, tz_tensor b);

/* kind: 0 addcmul, 1 addcdiv: self + value * op(t1, t2) */
TZ_API tz_tensor tz_addc(int kind, tz_tensor self, tz_tensor t1, tz_tensor t2, double value);
TZ_API int tz_addc_(int kind, tz_tensor self, tz_tensor t1, tz_tensor t2, double value);
/* weight_tensor may be NULL, then weight is used */
TZ_API tz_tensor tz_lerp(tz_tensor self, tz_tensor end, double weight, tz_tensor weight_tensor);
TZ_API int tz_lerp_(tz_tensor self, tz_tensor end, double weight, tz_tensor weight_tensor);
TZ_API tz_tensor tz_clamp(tz_tensor x, int has_min, double min, int has_max, double max);
TZ_API int tz_clamp_(tz_tensor x, int has_min, double min, int has_max, double max);
TZ_API tz_tensor tz_where(tz_tensor cond, tz_tensor a, tz_tensor b);
TZ_API tz_tensor tz_masked_fill(tz_tensor x, tz_tensor mask, double value);
TZ_API int tz_masked_fill_(tz_tensor x, tz_tensor mask, double value);
TZ_API int tz_fill_(tz_tensor x, double value);

/* ---- reductions --------------------------------------------------------------------------- */
enum tz_reduce_op {
  TZ_SUM, TZ_MEAN, TZ_PROD, TZ_AMAX, TZ_AMIN, TZ_ALL, TZ_ANY, TZ_LOGSUMEXP,
  TZ_VAR, TZ_STD, /* param: 1 unbiased, 0 biased */
  TZ_NORM /* param: p (vector norm over dims) */
};
/* ndims == 0 reduces over every dimension */
TZ_API tz_tensor tz_reduce(int op, tz_tensor x, const int64_t* dims, int ndims, int keepdim, double param);
/* kind: 0 max, 1 min; values and indices along dim */
TZ_API int tz_minmax_dim(int kind, tz_tensor x, int64_t dim, int keepdim, tz_tensor* values, tz_tensor* indices);
/* kind: 0 argmax, 1 argmin; has_dim == 0 flattens */
TZ_API tz_tensor tz_argminmax(int kind, tz_tensor x, int has_dim, int64_t dim, int keepdim);
TZ_API tz_tensor tz_cumsum(tz_tensor x, int64_t dim);
TZ_API int tz_topk(tz_tensor x, int64_t k, int64_t dim, int largest, tz_tensor* values, tz_tensor* indices);
TZ_API int tz_sort(tz_tensor x, int64_t dim, int descending, tz_tensor* values, tz_tensor* indices);
TZ_API int tz_kthvalue(tz_tensor x, int64_t k, int64_t dim, int keepdim, tz_tensor* values, tz_tensor* indices);

/* ---- shape and indexing ------------------------------------------------------------------- */
TZ_API tz_tensor tz_reshape(tz_tensor x, const int64_t* shape, int ndim);
TZ_API tz_tensor tz_view(tz_tensor x, const int64_t* shape, int ndim);
TZ_API tz_tensor tz_permute(tz_tensor x, const int64_t* dims, int ndim);
TZ_API tz_tensor tz_transpose(tz_tensor x, int64_t d0, int64_t d1);
TZ_API tz_tensor tz_contiguous(tz_tensor x);
/* has_dim == 0 squeezes every size-1 dimension */
TZ_API tz_tensor tz_squeeze(tz_tensor x, int has_dim, int64_t dim);
TZ_API tz_tensor tz_unsqueeze(tz_tensor x, int64_t dim);
TZ_API tz_tensor tz_expand(tz_tensor x, const int64_t* shape, int ndim);
TZ_API tz_tensor tz_flatten(tz_tensor x, int64_t start, int64_t end);
TZ_API tz_tensor tz_repeat(tz_tensor x, const int64_t* repeats, int ndim);
TZ_API tz_tensor tz_flip(tz_tensor x, const int64_t* dims, int ndim);
TZ_API tz_tensor tz_narrow(tz_tensor x, int64_t dim, int64_t start, int64_t length);
TZ_API tz_tensor tz_slice(tz_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step);
TZ_API tz_tensor tz_select(tz_tensor x, int64_t dim, int64_t index);
TZ_API tz_tensor tz_index_select(tz_tensor x, int64_t dim, tz_tensor index);
TZ_API tz_tensor tz_gather(tz_tensor x, int64_t dim, tz_tensor index);
/* kind: 0 scatter, 1 scatter_add */
TZ_API tz_tensor tz_scatter(int kind, tz_tensor x, int64_t dim, tz_tensor index, tz_tensor src);
TZ_API tz_tensor tz_masked_select(tz_tensor x, tz_tensor mask);
/* kind: 0 tril, 1 triu */
TZ_API tz_tensor tz_triangle(int kind, tz_tensor x, int64_t diagonal);
TZ_API tz_tensor tz_cat(const tz_tensor* xs, int n, int64_t dim);
TZ_API tz_tensor tz_stack(const tz_tensor* xs, int n, int64_t dim);
/* write up to cap parts into out; return their count */
TZ_API int tz_chunk(tz_tensor x, int64_t chunks, int64_t dim, tz_tensor* out, int cap);
TZ_API int tz_split(tz_tensor x, const int64_t* sizes, int nsizes, int64_t dim, tz_tensor* out, int cap);
TZ_API tz_tensor tz_clone(tz_tensor x);
TZ_API tz_tensor tz_detach(tz_tensor x);
TZ_API tz_tensor tz_alias(tz_tensor x);
TZ_API tz_tensor tz_to(tz_tensor x, int dtype, int device_type, int device_index, int copy);

/* ---- linear algebra ----------------------------------------------------------------------- */
enum tz_matmul_op { TZ_MATMUL, TZ_MM, TZ_BMM, TZ_OUTER, TZ_DOT };
TZ_API tz_tensor tz_matmul(int op, tz_tensor a, tz_tensor b);
/* beta * self + alpha * (a @ b) */
TZ_API tz_tensor tz_addmm(tz_tensor self, tz_tensor a, tz_tensor b, double beta, double alpha);
TZ_API int tz_addmm_(tz_tensor self, tz_tensor a, tz_tensor b, double beta, double alpha);
/* x @ x^T of a matrix (BLAS syrk where the process has one; at::mm otherwise) */
TZ_API tz_tensor tz_gram(tz_tensor x);
TZ_API const char* tz_blas_core(void);
TZ_API int tz_svd(tz_tensor x, int full_matrices, tz_tensor* u, tz_tensor* s, tz_tensor* vh);
TZ_API int tz_eigh(tz_tensor x, int upper, tz_tensor* eigenvalues, tz_tensor* eigenvectors);
TZ_API int tz_qr(tz_tensor x, int complete, tz_tensor* q, tz_tensor* r);
TZ_API tz_tensor tz_cholesky(tz_tensor x, int upper);
TZ_API tz_tensor tz_inverse(tz_tensor x);
TZ_API tz_tensor tz_solve(tz_tensor a, tz_tensor b);
/* ord: "fro", "nuc", or a number such as "2", "-2", "1", "inf" */
TZ_API tz_tensor tz_matrix_norm(tz_tensor x, const char* ord, int keepdim);
TZ_API tz_tensor tz_diag(tz_tensor x, int64_t diagonal);

/* ---- lists (_foreach_, in place) ---------------------------------------------------------- */
/* op: TZ_ADD, TZ_SUB, TZ_MUL, TZ_DIV, TZ_MAXIMUM, TZ_MINIMUM; alpha for ADD/SUB */
TZ_API int tz_foreach_binary_(int op, const tz_tensor* xs, const tz_tensor* ys, int n, double alpha);
/* op: TZ_ADD, TZ_SUB, TZ_MUL, TZ_DIV, TZ_MAXIMUM, TZ_MINIMUM */
TZ_API int tz_foreach_scalar_(int op, const tz_tensor* xs, int n, double scalar);
/* op: TZ_SQRT, TZ_EXP, TZ_ABS, TZ_NEG, TZ_ZERO, TZ_SIGN(n/a), ... whatever _foreach_ has */
TZ_API int tz_foreach_unary_(int op, const tz_tensor* xs, int n);
/* kind: 0 addcmul, 1 addcdiv */
TZ_API int tz_foreach_addc_(int kind, const tz_tensor* xs, const tz_tensor* t1, const tz_tensor* t2, int n,
                            double value);
TZ_API int tz_foreach_norm(const tz_tensor* xs, int n, double p, tz_tensor* out);

/* ---- fused optimizer steps (fused_optim.cpp) ---------------------------------------------- */
/* One pass over contiguous float32 CPU buffers, updated in place, parallel over libtorch's intra-op threads.
 * Every tensor must be a contiguous float32 CPU tensor with the parameter's element count.
 * Adam/AdamW: decoupled != 0 decays θ ← θ·(1 − lr·weight_decay) first (AdamW), else g ← g + weight_decay·θ
 * (Adam's L2); max_exp_avg_sq is NULL unless AMSGrad; step is the 1-based update count (bias corrections). */
TZ_API int tz_fused_adam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                          tz_tensor max_exp_avg_sq, double lr, double beta1, double beta2, double eps,
                          double weight_decay, int decoupled, int64_t step);
/* Lion: θ ← θ·(1 − lr·weight_decay) − lr·sign(β1·m + (1 − β1)·g); m ← β2·m + (1 − β2)·g */
TZ_API int tz_fused_lion_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, double lr, double beta1, double beta2,
                          double weight_decay);
/* SGD (torch.optim.SGD's rule): d = g + weight_decay·θ; with momentum (momentum_buffer not NULL)
 * buf ← d on the first step (first != 0), else buf ← momentum·buf + (1 − dampening)·d, and d = d + momentum·buf
 * (Nesterov) or buf; θ ← θ − lr·d. momentum_buffer is NULL when momentum is 0. */
TZ_API int tz_fused_sgd_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, double lr, double momentum,
                         double dampening, int nesterov, double weight_decay, int first);
/* NAdam (torch.optim.NAdam's rule) with the schedule's coefficients computed by the caller: g ← g + weight_decay·θ;
 * Adam moments; d = √(v / bias_correction2) + ε; θ ← θ + grad_coef·g/d, then θ ← θ + momentum_coef·m/d. */
TZ_API int tz_fused_nadam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double beta1,
                           double beta2, double eps, double weight_decay, double bias_correction2, double grad_coef,
                           double momentum_coef);
/* AdaMod (the official code's rule): g ← g + weight_decay·θ; Adam moments; s = step_scale/(√v + ε) with
 * step_scale = lr·√bc2/bc1; ŝ ← β3·ŝ + (1 − β3)·s in exp_avg_lr; θ ← θ − min(s, ŝ)·m. */
TZ_API int tz_fused_adamod_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, tz_tensor exp_avg_lr,
                            double beta1, double beta2, double beta3, double eps, double weight_decay, double step_scale);
/* RMSprop (torch.optim.RMSprop's rule): g ← g + weight_decay·θ; v ← α·v + (1 − α)·g²; with grad_avg (centered)
 * ḡ ← α·ḡ + (1 − α)·g and d = √(v − ḡ²) + ε, else d = √v + ε; with momentum (momentum_buffer not NULL)
 * b ← momentum·b + g/d and θ ← θ − lr·b, else θ ← θ − lr·g/d. */
TZ_API int tz_fused_rmsprop_(tz_tensor param, tz_tensor grad, tz_tensor square_avg, tz_tensor grad_avg,
                             tz_tensor momentum_buffer, double lr, double alpha, double eps, double momentum,
                             double weight_decay);
/* RAdam (torch.optim.RAdam's rule) with the bias corrections bc = 1 − β^t from the caller: g ← g + weight_decay·θ;
 * Adam moments; u = lr·m/bc1; when rectified (ρ_t > 5) u ← u·√bc2/(√v + ε)·rectification (r_t); θ ← θ − u. */
TZ_API int tz_fused_radam_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr,
                           double beta1, double beta2, double eps, double weight_decay, double bias_correction1,
                           double bias_correction2, int rectified, double rectification);
/* Adagrad (torch.optim.Adagrad 1.13): g ← g + weight_decay·θ; sum ← sum + g²; θ ← θ − step_size·g/(√sum + ε). */
TZ_API int tz_fused_adagrad_(tz_tensor param, tz_tensor grad, tz_tensor sum, double step_size, double eps, double weight_decay);
TZ_API int tz_fused_grams_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                           double beta2, double eps, double weight_decay, int64_t step);
TZ_API int tz_fused_adopt_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                           double beta2, double eps, double weight_decay, int decoupled, int clip, double clip_bound);
TZ_API int tz_fused_laprop_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq, double lr, double beta1,
                            double beta2, double eps, double weight_decay, double bias_correction2, double lr_average);
TZ_API int tz_fused_rprop_(tz_tensor param, tz_tensor grad, tz_tensor prev, tz_tensor step_size, double eta_minus, double eta_plus,
                           double step_min, double step_max, double weight_decay);
/* AdaBelief (official v0.2): decoupled θ ← decay_factor·θ or coupled g ← g + weight_decay·θ; m ← β1m + (1−β1)g;
   s ← β2s + (1−β2)(g − m)² + ε; step 0: θ ← θ + c·m/(√s/√bias_correction2 + ε), 1: θ ← θ + c·m/(√s + ε),
   2: θ ← θ + c·m, 3: no step (c = step_coefficient). */
TZ_API int tz_fused_adabelief_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_var, double beta1,
                               double beta2, double eps, double weight_decay, int decoupled, double decay_factor,
                               int step, double step_coefficient, double bias_correction2);
/* AdaBound (the official code's rule): g ← g + weight_decay·θ; Adam moments; with max_exp_avg_sq (AMSBound, else
 * NULL) v ← max(vmax, v); s = step_scale/(√v + ε) with step_scale = lr·√bc2/bc1, clamped to [lower, upper]
 * (neither NaN); θ ← θ − s·m. */
TZ_API int tz_fused_adabound_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                              tz_tensor max_exp_avg_sq, double beta1, double beta2, double eps, double weight_decay,
                              double step_scale, double lower, double upper);
/* Adadelta (torch.optim.Adadelta's rule): g ← g + weight_decay·θ; v ← ρ·v + (1 − ρ)·g² in square_avg;
 * Δ = √(u + ε)/√(v + ε)·g; u ← ρ·u + (1 − ρ)·Δ² in acc_delta; θ ← θ − lr·Δ. */
TZ_API int tz_fused_adadelta_(tz_tensor param, tz_tensor grad, tz_tensor square_avg, tz_tensor acc_delta, double lr,
                              double rho, double eps, double weight_decay);
/* AdEMAMix (Algorithm 1) with this step's α and β3 (warmups) and bias corrections from the caller:
 * θ ← θ·(1 − lr·weight_decay); m1 ← β1·m1 + (1 − β1)·g; m2 ← β3·m2 + (1 − β3)·g; v ← β2·v + (1 − β2)·g²;
 * θ ← θ − lr·(m1/bc1 + α·m2)/(√v/√bc2 + ε). */
TZ_API int tz_fused_ademamix_(tz_tensor param, tz_tensor grad, tz_tensor exp_avg_fast, tz_tensor exp_avg_slow,
                              tz_tensor exp_avg_sq, double lr, double beta1, double beta2, double beta3, double alpha,
                              double eps, double weight_decay, double bias_correction1, double bias_correction2);
/* SGD-SaI with the tensor's gsnr from the caller: θ ← θ·(1 − lr·weight_decay); with momentum (momentum_buffer not
 * NULL) buf ← g on the first step (first != 0), else buf ← momentum·buf + (1 − momentum)·g, and d = buf, else d = g;
 * θ ← θ − lr·gsnr·d. momentum_buffer is NULL when momentum is 0. */
TZ_API int tz_fused_sgdsai_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, double lr, double momentum,
                            double weight_decay, double gsnr, int first);
/* MARS-approx (the official code's rule) on one tensor: c = g + correction·(g − last_grad) with correction = γβ1/(1 − β1);
 * c ← c/‖c‖ when ‖c‖ > 1 (the norm by ATen, between two passes); last_grad ← g; m ← β1·m + (1 − β1)·c;
 * θ ← θ·(1 − lr·weight_decay); with exp_avg_sq (AdamW flavour) v ← β2·v + (1 − β2)·c² and
 * θ ← θ − (lr/bc1)·m/(√v/√bc2 + ε), else (Lion flavour, exp_avg_sq NULL) θ ← θ − lr·sign(m). */
TZ_API int tz_fused_mars_(tz_tensor param, tz_tensor grad, tz_tensor last_grad, tz_tensor exp_avg, tz_tensor exp_avg_sq,
                          double lr, double beta1, double beta2, double correction, double eps, double weight_decay,
                          double bias_correction1, double bias_correction2);
/* REG (one RACS pass, p = 2) on the parameter viewed as (rows, numel/rows): momentum update, Nesterov direction,
 * row/column 2-norm scaling, RMS matched to target_rms, decoupled decay and update, in three passes. */
TZ_API int tz_fused_reg_(tz_tensor param, tz_tensor grad, tz_tensor momentum_buffer, int64_t rows, double lr,
                         double momentum, int nesterov, double target_rms, double eps, double weight_decay);

/* ---- autograd ----------------------------------------------------------------------------- */
TZ_API int tz_requires_grad(tz_tensor t);
TZ_API int tz_set_requires_grad(tz_tensor t, int value);
TZ_API int tz_is_leaf(tz_tensor t);
/* t.set_data(data): swaps the storage under a tensor (module.to(device)) keeping its identity */
TZ_API int tz_set_data(tz_tensor t, tz_tensor data);
/* *out is NULL when the tensor has no gradient */
TZ_API int tz_grad(tz_tensor t, tz_tensor* out);
TZ_API int tz_set_grad(tz_tensor t, tz_tensor grad /* NULL clears */);
/* Keep the gradient of a non-leaf tensor in .grad after backward (PyTorch's retain_grad; a no-op on leaves). */
TZ_API int tz_retain_grad(tz_tensor t);
TZ_API int tz_backward(tz_tensor t, tz_tensor grad /* may be NULL */, int retain_graph, int create_graph);
TZ_API int tz_autograd_grad(const tz_tensor* outputs, int nout, const tz_tensor* grad_outputs /* may be NULL */,
                            const tz_tensor* inputs, int nin, int retain_graph, int create_graph,
                            int allow_unused, tz_tensor* out);
TZ_API int tz_grad_enabled(void);
/* returns the previous value */
TZ_API int tz_set_grad_enabled(int enabled);

/* ---- nn functional ------------------------------------------------------------------------ */
TZ_API tz_tensor tz_linear(tz_tensor x, tz_tensor weight, tz_tensor bias /* may be NULL */);
TZ_API tz_tensor tz_layer_norm(tz_tensor x, const int64_t* shape, int ndim, tz_tensor weight, tz_tensor bias,
                               double eps);
/* Batch normalization over dim 1; in training, running_mean/var (may be NULL) are updated in place with momentum. */
TZ_API tz_tensor tz_batch_norm(tz_tensor x, tz_tensor weight, tz_tensor bias, tz_tensor running_mean, tz_tensor running_var,
                               int training, double momentum, double eps);
/* kind: 0 softmax, 1 log_softmax */
TZ_API tz_tensor tz_softmax(int kind, tz_tensor x, int64_t dim);
TZ_API tz_tensor tz_dropout(tz_tensor x, double p, int train);
TZ_API tz_tensor tz_conv2d(tz_tensor x, tz_tensor weight, tz_tensor bias, const int64_t* stride,
                           const int64_t* padding, const int64_t* dilation, int64_t groups);
/* kind: 0 max, 1 avg */
TZ_API tz_tensor tz_pool2d(int kind, tz_tensor x, const int64_t* kernel, const int64_t* stride,
                           const int64_t* padding);
TZ_API tz_tensor tz_embedding(tz_tensor weight, tz_tensor indices);
/* reduction: 0 none, 1 mean, 2 sum */
TZ_API tz_tensor tz_cross_entropy(tz_tensor logits, tz_tensor target, tz_tensor weight, int reduction,
                                  int64_t ignore_index, double label_smoothing);
/* kind: 0 mse, 1 l1, 2 smooth_l1 (param beta), 3 huber (param delta), 4 bce_with_logits */
TZ_API tz_tensor tz_loss(int kind, tz_tensor input, tz_tensor target, int reduction, double param);
/* attn_mask may be NULL; boolean (true = keep) or additive float */
TZ_API tz_tensor tz_sdpa(tz_tensor q, tz_tensor k, tz_tensor v, tz_tensor attn_mask, double dropout_p,
                         int is_causal, double scale /* <= 0: 1/sqrt(head_dim) */);
/* qkv (B, N, 3D): per token the D query, D key and D value features, each head-major (timm's qkv layout);
   returns softmax(q·kᵀ·scale)·v with the heads merged back: (B, N, D). scale <= 0: 1/sqrt(D / heads). */
TZ_API tz_tensor tz_packed_attention(tz_tensor qkv, int64_t heads, double scale);
TZ_API tz_tensor tz_stft(tz_tensor signal, int64_t n_fft, int64_t hop_length, int64_t win_length,
                                   tz_tensor window /* may be NULL: Hann */, int center, int normalized);  /* complex result */
TZ_API tz_tensor tz_view_as_real(tz_tensor x);

/* ---- images -------------------------------------------------------------------------------- */
/* tz_interp_mode: 0 nearest (floor, as PyTorch's "nearest"), 1 linear (linear/bilinear/trilinear by rank),
   2 cubic (4-D only), 3 area (adaptive average pooling). */
TZ_API tz_tensor tz_interpolate(tz_tensor x, const int64_t* size, int nsize /* = x.dim() - 2 */, int mode,
                                int align_corners /* linear and cubic only */);

/* ---- distributed (c10d: TCPStore rendezvous + ProcessGroupGloo, CPU tensors) ---------------- */
typedef void* tz_process_group;
enum tz_pg_reduce_op { TZ_PG_SUM, TZ_PG_AVERAGE, TZ_PG_MAX, TZ_PG_MIN, TZ_PG_PRODUCT };
/* Blocks until all world_size ranks have joined or timeout_ms has passed (then NULL). Rank 0 hosts the
 * store on master_address:port. Every collective below waits at most timeout_ms and then fails. */
TZ_API tz_process_group tz_pg_create(int rank, int world_size, const char* master_address, int port,
                                     int64_t timeout_ms);
TZ_API void tz_pg_free(tz_process_group pg);
TZ_API int tz_pg_rank(tz_process_group pg);
TZ_API int tz_pg_world_size(tz_process_group pg);
/* in place; AVERAGE is a sum divided by the world size (floating-point tensors only) */
TZ_API int tz_pg_all_reduce(tz_process_group pg, tz_tensor t, int op);
/* in place: every rank's t receives root's t */
TZ_API int tz_pg_broadcast(tz_process_group pg, tz_tensor t, int root);
/* writes world_size new tensors (rank order) into out; returns their count */
TZ_API int tz_pg_all_gather(tz_process_group pg, tz_tensor t, tz_tensor* out, int cap);
TZ_API int tz_pg_barrier(tz_process_group pg);

#ifdef __cplusplus
}
#endif

#endif
