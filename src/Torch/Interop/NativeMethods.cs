using System.Runtime.InteropServices;

namespace TorchZoo.Torch.Interop;

/// <summary>P/Invoke declarations for the shim's C ABI (src/Native/include/tz.h); nothing else lives here.</summary>
internal static unsafe class NativeMethods
{
    internal const string Lib = "torchzoo_native";

    // runtime
    [DllImport(Lib)] internal static extern IntPtr tz_last_error();
    [DllImport(Lib)] internal static extern long tz_live_tensors();
    [DllImport(Lib)] internal static extern IntPtr tz_version();
    [DllImport(Lib)] internal static extern void tz_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int tz_keep_freed_memory(long mmapThreshold, long trimThreshold);
    [DllImport(Lib)] internal static extern int tz_get_num_threads();
    [DllImport(Lib)] internal static extern int tz_shim_parallel_threads();
    [DllImport(Lib)] internal static extern int tz_cuda_is_available();
    [DllImport(Lib)] internal static extern int tz_cuda_device_count();

    // lifetime and properties
    [DllImport(Lib)] internal static extern void tz_tensor_free(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_dim(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_shape(IntPtr t, long* output, int cap);
    [DllImport(Lib)] internal static extern int tz_strides(IntPtr t, long* output, int cap);
    [DllImport(Lib)] internal static extern long tz_numel(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_dtype(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_device(IntPtr t, out int deviceType, out int deviceIndex);
    [DllImport(Lib)] internal static extern int tz_is_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr tz_data_ptr(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_copy_to_buffer(IntPtr t, void* dst, long bytes);
    [DllImport(Lib)] internal static extern int tz_copy_from_buffer(IntPtr t, void* src, long bytes);
    [DllImport(Lib)] internal static extern int tz_item(IntPtr t, out double value);
    [DllImport(Lib)] internal static extern int tz_item_int64(IntPtr t, out long value);
    [DllImport(Lib)] internal static extern int tz_equal(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int tz_allclose(IntPtr a, IntPtr b, double rtol, double atol, int equalNan);

    // creation
    [DllImport(Lib)] internal static extern IntPtr tz_from_buffer(void* data, int dtype, long* shape, int ndim, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_full(long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_eye(long n, long m, int dtype, int deviceType, int deviceIndex);
    [DllImport(Lib)] internal static extern IntPtr tz_like(IntPtr t, int kind, int dtype);

    // random
    [DllImport(Lib)] internal static extern void tz_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern IntPtr tz_generator_new(ulong seed);
    [DllImport(Lib)] internal static extern void tz_generator_free(IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr tz_default_generator();
    [DllImport(Lib)] internal static extern int tz_generator_set_seed(IntPtr g, ulong seed);
    [DllImport(Lib)] internal static extern ulong tz_generator_seed(IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr tz_generator_get_state(IntPtr g);
    [DllImport(Lib)] internal static extern int tz_generator_set_state(IntPtr g, IntPtr state);
    [DllImport(Lib)] internal static extern IntPtr tz_random(int kind, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr tz_randint(long low, long high, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr tz_randperm(long n, int deviceType, int deviceIndex, IntPtr g);
    [DllImport(Lib)] internal static extern int tz_random_(IntPtr t, int kind, double a, double b, IntPtr g);

    // elementwise
    [DllImport(Lib)] internal static extern IntPtr tz_unary(int op, IntPtr x);
    [DllImport(Lib)] internal static extern int tz_unary_(int op, IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_binary(int op, IntPtr a, IntPtr b, double alpha);
    [DllImport(Lib)] internal static extern int tz_binary_(int op, IntPtr a, IntPtr b, double alpha);
    [DllImport(Lib)] internal static extern IntPtr tz_binary_scalar(int op, IntPtr a, double b);
    [DllImport(Lib)] internal static extern int tz_binary_scalar_(int op, IntPtr a, double b);
    [DllImport(Lib)] internal static extern IntPtr tz_scalar_binary(int op, double a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr tz_addc(int kind, IntPtr self, IntPtr t1, IntPtr t2, double value);
    [DllImport(Lib)] internal static extern int tz_addc_(int kind, IntPtr self, IntPtr t1, IntPtr t2, double value);
    [DllImport(Lib)] internal static extern IntPtr tz_lerp(IntPtr self, IntPtr end, double weight, IntPtr weightTensor);
    [DllImport(Lib)] internal static extern int tz_lerp_(IntPtr self, IntPtr end, double weight, IntPtr weightTensor);
    [DllImport(Lib)] internal static extern IntPtr tz_clamp(IntPtr x, int hasMin, double min, int hasMax, double max);
    [DllImport(Lib)] internal static extern int tz_clamp_(IntPtr x, int hasMin, double min, int hasMax, double max);
    [DllImport(Lib)] internal static extern IntPtr tz_where(IntPtr cond, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr tz_masked_fill(IntPtr x, IntPtr mask, double value);
    [DllImport(Lib)] internal static extern int tz_masked_fill_(IntPtr x, IntPtr mask, double value);
    [DllImport(Lib)] internal static extern int tz_fill_(IntPtr x, double value);

    // reductions
    [DllImport(Lib)] internal static extern IntPtr tz_reduce(int op, IntPtr x, long* dims, int ndims, int keepdim, double param);
    [DllImport(Lib)] internal static extern int tz_minmax_dim(int kind, IntPtr x, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr tz_argminmax(int kind, IntPtr x, int hasDim, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr tz_cumsum(IntPtr x, long dim);
    [DllImport(Lib)] internal static extern int tz_topk(IntPtr x, long k, long dim, int largest, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern int tz_sort(IntPtr x, long dim, int descending, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern int tz_kthvalue(IntPtr x, long k, long dim, int keepdim, out IntPtr values, out IntPtr indices);

    // shape and indexing
    [DllImport(Lib)] internal static extern IntPtr tz_reshape(IntPtr x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_view(IntPtr x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_permute(IntPtr x, long* dims, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_transpose(IntPtr x, long d0, long d1);
    [DllImport(Lib)] internal static extern IntPtr tz_contiguous(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_squeeze(IntPtr x, int hasDim, long dim);
    [DllImport(Lib)] internal static extern IntPtr tz_unsqueeze(IntPtr x, long dim);
    [DllImport(Lib)] internal static extern IntPtr tz_expand(IntPtr x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_flatten(IntPtr x, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr tz_repeat(IntPtr x, long* repeats, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_flip(IntPtr x, long* dims, int ndim);
    [DllImport(Lib)] internal static extern IntPtr tz_narrow(IntPtr x, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr tz_slice(IntPtr x, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr tz_select(IntPtr x, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr tz_index_select(IntPtr x, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr tz_gather(IntPtr x, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr tz_scatter(int kind, IntPtr x, long dim, IntPtr index, IntPtr src);
    [DllImport(Lib)] internal static extern IntPtr tz_masked_select(IntPtr x, IntPtr mask);
    [DllImport(Lib)] internal static extern IntPtr tz_triangle(int kind, IntPtr x, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr tz_cat(IntPtr* xs, int n, long dim);
    [DllImport(Lib)] internal static extern IntPtr tz_stack(IntPtr* xs, int n, long dim);
    [DllImport(Lib)] internal static extern int tz_chunk(IntPtr x, long chunks, long dim, IntPtr* output, int cap);
    [DllImport(Lib)] internal static extern int tz_split(IntPtr x, long* sizes, int nsizes, long dim, IntPtr* output, int cap);
    [DllImport(Lib)] internal static extern IntPtr tz_clone(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_detach(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_alias(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_to(IntPtr x, int dtype, int deviceType, int deviceIndex, int copy);

    // linear algebra
    [DllImport(Lib)] internal static extern IntPtr tz_matmul(int op, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr tz_gram(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_blas_core();
    [DllImport(Lib)] internal static extern IntPtr tz_addmm(IntPtr self, IntPtr a, IntPtr b, double beta, double alpha);
    [DllImport(Lib)] internal static extern int tz_addmm_(IntPtr self, IntPtr a, IntPtr b, double beta, double alpha);
    [DllImport(Lib)] internal static extern int tz_svd(IntPtr x, int fullMatrices, out IntPtr u, out IntPtr s, out IntPtr vh);
    [DllImport(Lib)] internal static extern int tz_eigh(IntPtr x, int upper, out IntPtr eigenvalues, out IntPtr eigenvectors);
    [DllImport(Lib)] internal static extern int tz_qr(IntPtr x, int complete, out IntPtr q, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr tz_cholesky(IntPtr x, int upper);
    [DllImport(Lib)] internal static extern IntPtr tz_inverse(IntPtr x);
    [DllImport(Lib)] internal static extern IntPtr tz_solve(IntPtr a, IntPtr b);
    [DllImport(Lib, CharSet = CharSet.Ansi, BestFitMapping = false)] internal static extern IntPtr tz_matrix_norm(IntPtr x, string ord, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr tz_diag(IntPtr x, long diagonal);

    // lists
    [DllImport(Lib)] internal static extern int tz_foreach_binary_(int op, IntPtr* xs, IntPtr* ys, int n, double alpha);
    [DllImport(Lib)] internal static extern int tz_foreach_scalar_(int op, IntPtr* xs, int n, double scalar);
    [DllImport(Lib)] internal static extern int tz_foreach_unary_(int op, IntPtr* xs, int n);
    [DllImport(Lib)] internal static extern int tz_foreach_addc_(int kind, IntPtr* xs, IntPtr* t1, IntPtr* t2, int n, double value);
    [DllImport(Lib)] internal static extern int tz_foreach_norm(IntPtr* xs, int n, double p, IntPtr* output);

    // fused optimizer steps
    [DllImport(Lib)] internal static extern int tz_fused_adam_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, IntPtr maxExpAvgSq, double lr, double beta1, double beta2, double eps, double weightDecay, int decoupled, long step);
    [DllImport(Lib)] internal static extern int tz_fused_lion_(IntPtr param, IntPtr grad, IntPtr expAvg, double lr, double beta1, double beta2, double weightDecay);
    [DllImport(Lib)] internal static extern int tz_fused_sgd_(IntPtr param, IntPtr grad, IntPtr momentumBuffer, double lr, double momentum, double dampening, int nesterov, double weightDecay, int first);
    [DllImport(Lib)] internal static extern int tz_fused_nadam_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, double beta1, double beta2, double eps, double weightDecay, double biasCorrection2, double gradCoef, double momentumCoef);
    [DllImport(Lib)] internal static extern int tz_fused_adagrad_(IntPtr param, IntPtr grad, IntPtr sum, double stepSize, double eps, double weightDecay);
    [DllImport(Lib)] internal static extern int tz_fused_grams_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, double lr, double beta1,
                                                               double beta2, double eps, double weightDecay, long step);
    [DllImport(Lib)] internal static extern int tz_fused_adopt_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, double lr, double beta1,
                                                               double beta2, double eps, double weightDecay, int decoupled, int clip, double clipBound);
    [DllImport(Lib)] internal static extern int tz_fused_laprop_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, double lr, double beta1,
                                                                double beta2, double eps, double weightDecay, double biasCorrection2, double lrAverage);
    [DllImport(Lib)] internal static extern int tz_fused_rprop_(IntPtr param, IntPtr grad, IntPtr prev, IntPtr stepSize, double etaMinus, double etaPlus,
                                                               double stepMin, double stepMax, double weightDecay);
    [DllImport(Lib)] internal static extern int tz_fused_adabelief_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgVar, double beta1, double beta2, double eps, double weightDecay, int decoupled, double decayFactor, int step, double stepCoefficient, double biasCorrection2);
    [DllImport(Lib)] internal static extern int tz_fused_adamod_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, IntPtr expAvgLr, double beta1, double beta2, double beta3, double eps, double weightDecay, double stepScale);
    [DllImport(Lib)] internal static extern int tz_fused_rmsprop_(IntPtr param, IntPtr grad, IntPtr squareAvg, IntPtr gradAvg, IntPtr momentumBuffer, double lr, double alpha, double eps, double momentum, double weightDecay);
    [DllImport(Lib)] internal static extern int tz_fused_radam_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, double lr, double beta1, double beta2, double eps, double weightDecay, double biasCorrection1, double biasCorrection2, int rectified, double rectification);
    [DllImport(Lib)] internal static extern int tz_fused_adabound_(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, IntPtr maxExpAvgSq, double beta1, double beta2, double eps, double weightDecay, double stepScale, double lower, double upper);
    [DllImport(Lib)] internal static extern int tz_fused_adadelta_(IntPtr param, IntPtr grad, IntPtr squareAvg, IntPtr accDelta, double lr, double rho, double eps, double weightDecay);
    [DllImport(Lib)] internal static extern int tz_fused_ademamix_(IntPtr param, IntPtr grad, IntPtr expAvgFast, IntPtr expAvgSlow, IntPtr expAvgSq, double lr, double beta1, double beta2, double beta3, double alpha, double eps, double weightDecay, double biasCorrection1, double biasCorrection2);
    [DllImport(Lib)] internal static extern int tz_fused_sgdsai_(IntPtr param, IntPtr grad, IntPtr momentumBuffer, double lr, double momentum, double weightDecay, double gsnr, int first);
    [DllImport(Lib)] internal static extern int tz_fused_mars_(IntPtr param, IntPtr grad, IntPtr lastGrad, IntPtr expAvg, IntPtr expAvgSq, double lr, double beta1, double beta2, double correction, double eps, double weightDecay, double biasCorrection1, double biasCorrection2);
    [DllImport(Lib)] internal static extern int tz_fused_reg_(IntPtr param, IntPtr grad, IntPtr momentumBuffer, long rows, double lr, double momentum, int nesterov, double targetRms, double eps, double weightDecay);

    // autograd
    [DllImport(Lib)] internal static extern int tz_requires_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_set_requires_grad(IntPtr t, int value);
    [DllImport(Lib)] internal static extern int tz_is_leaf(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_set_data(IntPtr t, IntPtr data);
    [DllImport(Lib)] internal static extern int tz_grad(IntPtr t, out IntPtr grad);
    [DllImport(Lib)] internal static extern int tz_set_grad(IntPtr t, IntPtr grad);
    [DllImport(Lib)] internal static extern int tz_retain_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int tz_backward(IntPtr t, IntPtr grad, int retainGraph, int createGraph);
    [DllImport(Lib)] internal static extern int tz_autograd_grad(IntPtr* outputs, int nout, IntPtr* gradOutputs, IntPtr* inputs, int nin, int retainGraph, int createGraph, int allowUnused, IntPtr* output);
    [DllImport(Lib)] internal static extern int tz_grad_enabled();
    [DllImport(Lib)] internal static extern int tz_set_grad_enabled(int enabled);

    // nn functional
    [DllImport(Lib)] internal static extern IntPtr tz_linear(IntPtr x, IntPtr weight, IntPtr bias);
    [DllImport(Lib)] internal static extern IntPtr tz_layer_norm(IntPtr x, long* shape, int ndim, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Lib)] internal static extern IntPtr tz_batch_norm(IntPtr x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr tz_softmax(int kind, IntPtr x, long dim);
    [DllImport(Lib)] internal static extern IntPtr tz_dropout(IntPtr x, double p, int train);
    [DllImport(Lib)] internal static extern IntPtr tz_conv2d(IntPtr x, IntPtr weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr tz_pool2d(int kind, IntPtr x, long* kernel, long* stride, long* padding);
    [DllImport(Lib)] internal static extern IntPtr tz_embedding(IntPtr weight, IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr tz_cross_entropy(IntPtr logits, IntPtr target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Lib)] internal static extern IntPtr tz_loss(int kind, IntPtr input, IntPtr target, int reduction, double param);
    [DllImport(Lib)] internal static extern IntPtr tz_sdpa(IntPtr q, IntPtr k, IntPtr v, IntPtr attnMask, double dropoutP, int isCausal, double scale);
    [DllImport(Lib)] internal static extern IntPtr tz_packed_attention(IntPtr qkv, long heads, double scale);
    [DllImport(Lib)] internal static extern IntPtr tz_stft(IntPtr signal, long nFft, long hopLength, long winLength, IntPtr window, int center, int normalized);
    [DllImport(Lib)] internal static extern IntPtr tz_view_as_real(IntPtr x);

    // images
    [DllImport(Lib)] internal static extern IntPtr tz_interpolate(IntPtr x, long* size, int nsize, int mode, int alignCorners);

    // distributed (c10d process groups)
    [DllImport(Lib, CharSet = CharSet.Ansi, BestFitMapping = false)] internal static extern IntPtr tz_pg_create(int rank, int worldSize, string masterAddress, int port, long timeoutMs);
    [DllImport(Lib)] internal static extern void tz_pg_free(IntPtr pg);
    [DllImport(Lib)] internal static extern int tz_pg_rank(IntPtr pg);
    [DllImport(Lib)] internal static extern int tz_pg_world_size(IntPtr pg);
    [DllImport(Lib)] internal static extern int tz_pg_all_reduce(IntPtr pg, IntPtr t, int op);
    [DllImport(Lib)] internal static extern int tz_pg_broadcast(IntPtr pg, IntPtr t, int root);
    [DllImport(Lib)] internal static extern int tz_pg_all_gather(IntPtr pg, IntPtr t, IntPtr* output, int cap);
    [DllImport(Lib)] internal static extern int tz_pg_barrier(IntPtr pg);
}
