// Tensor lifetime, properties, data transfer, creation, random numbers and runtime settings.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "common.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tz {

std::atomic<int64_t> live_tensors{0};
static thread_local std::string last_error;

void set_error(const char* message) { last_error = message ? message : "unknown native error"; }

void fail(const std::string& message) { throw std::invalid_argument(message); }

void check_dtype(int dtype) {
  switch (static_cast<at::ScalarType>(dtype)) {
    case at::kByte: case at::kChar: case at::kShort: case at::kInt: case at::kLong: case at::kHalf:
    case at::kFloat: case at::kDouble: case at::kComplexFloat: case at::kComplexDouble: case at::kBool:
    case at::kBFloat16:
      return;
    default:
      fail("unsupported dtype code " + std::to_string(dtype));
  }
}

void check_device(int device_type, int device_index) {
  if (device_type == static_cast<int>(at::kCPU)) return;
  if (device_type == static_cast<int>(at::kCUDA)) {
    if (!at::hasCUDA())
      fail("CUDA was requested but this libtorch was built without CUDA support (or no GPU is visible)");
    int count = at::detail::getCUDAHooks().getNumGPUs();
    if (device_index >= count)
      fail("CUDA device " + std::to_string(device_index) + " was requested but only " + std::to_string(count) +
           " device(s) are visible");
    return;
  }
  fail("unsupported device type code " + std::to_string(device_type));
}

static at::Generator* gen(tz_generator g) { return static_cast<at::Generator*>(g); }

static c10::optional<at::Generator> opt_gen(tz_generator g) {
  if (!g) return c10::nullopt;
  return *gen(g);
}

static void check_shape(const int64_t* shape, int ndim) {
  if (ndim < 0) fail("negative number of dimensions");
  for (int i = 0; i < ndim; ++i)
    if (shape[i] < 0) fail("shape has a negative size " + std::to_string(shape[i]) + " at dimension " + std::to_string(i));
}

}  // namespace tz

using namespace tz;

extern "C" {

const char* tz_last_error(void) { return last_error.c_str(); }
int64_t tz_live_tensors(void) { return live_tensors.load(); }
const char* tz_version(void) { return TORCH_VERSION; }
void tz_set_num_threads(int n) {
  if (n > 0) at::set_num_threads(n);
}
int tz_get_num_threads(void) { return at::get_num_threads(); }
// How many threads an at::parallel_for compiled into the shim runs on. It is an inline template over OpenMP, so a
// shim built without OpenMP answers 1 whatever the thread setting: the check that the fused optimizer steps and the
// attention loops really run in parallel.
int tz_shim_parallel_threads(void) {
  std::mutex lock;
  std::set<std::thread::id> seen;
  at::parallel_for(0, 4 * at::get_num_threads(), 1, [&](int64_t, int64_t) {
    std::lock_guard<std::mutex> guard(lock);
    seen.insert(std::this_thread::get_id());
  });
  return static_cast<int>(seen.size());
}
int tz_keep_freed_memory(int64_t mmap_threshold, int64_t trim_threshold) {
#if defined(__GLIBC__)
  // glibc caps the mmap threshold at half its 64 MB arena heap and rejects larger values (mallopt returns 0).
  if (mmap_threshold <= 0 || trim_threshold < 0 || mmap_threshold > (int64_t{32} << 20) || trim_threshold > INT32_MAX) return -1;
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 1 &&
                 mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold)) == 1
             ? 0
             : -1;
#else
  return -1;
#endif
}
int tz_cuda_is_available(void) { return at::hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0 ? 1 : 0; }
int tz_cuda_device_count(void) { return at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0; }

void tz_tensor_free(tz_tensor t) {
  if (!t) return;
  delete static_cast<at::Tensor*>(t);
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int tz_dim(tz_tensor t) { return static_cast<int>(T(t).dim()); }

int tz_shape(tz_tensor t, int64_t* out, int cap) {
  auto s = T(t).sizes();
  for (size_t i = 0; i < s.size() && static_cast<int>(i) < cap; ++i) out[i] = s[i];
  return static_cast<int>(s.size());
}

int tz_strides(tz_tensor t, int64_t* out, int cap) {
  auto s = T(t).strides();
  for (size_t i = 0; i < s.size() && static_cast<int>(i) < cap; ++i) out[i] = s[i];
  return static_cast<int>(s.size());
}

int64_t tz_numel(tz_tensor t) { return T(t).numel(); }
int tz_dtype(tz_tensor t) { return static_cast<int>(T(t).scalar_type()); }

int tz_device(tz_tensor t, int* device_type, int* device_index) {
  auto d = T(t).device();
  *device_type = static_cast<int>(d.type());
  *device_index = d.has_index() ? d.index() : 0;
  return 0;
}

int tz_is_contiguous(tz_tensor t) { return T(t).is_contiguous() ? 1 : 0; }
void* tz_data_ptr(tz_tensor t) { return T(t).data_ptr(); }

int tz_copy_to_buffer(tz_tensor t, void* dst, int64_t bytes) {
  TZ_TRY
  at::Tensor src = T(t).detach().to(at::kCPU).contiguous();
  int64_t need = src.numel() * static_cast<int64_t>(src.element_size());
  if (need != bytes) fail("buffer holds " + std::to_string(bytes) + " bytes but the tensor has " + std::to_string(need));
  if (need) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(need));
  return 0;
  TZ_CATCH(-1)
}

int tz_copy_from_buffer(tz_tensor t, const void* src, int64_t bytes) {
  TZ_TRY
  at::Tensor& dst = T(t);
  int64_t need = dst.numel() * static_cast<int64_t>(dst.element_size());
  if (need != bytes) fail("buffer holds " + std::to_string(bytes) + " bytes but the tensor has " + std::to_string(need));
  at::Tensor cpu = at::from_blob(const_cast<void*>(src), dst.sizes(), at::TensorOptions().dtype(dst.scalar_type()));
  at::NoGradGuard no_grad;
  dst.copy_(cpu);
  return 0;
  TZ_CATCH(-1)
}

int tz_item(tz_tensor t, double* out) {
  TZ_TRY
  *out = T(t).item<double>();
  return 0;
  TZ_CATCH(-1)
}

int tz_item_int64(tz_tensor t, int64_t* out) {
  TZ_TRY
  *out = T(t).item<int64_t>();
  return 0;
  TZ_CATCH(-1)
}

int tz_equal(tz_tensor a, tz_tensor b) {
  TZ_TRY
  return at::equal(T(a), T(b)) ? 1 : 0;
  TZ_CATCH(-1)
}

int tz_allclose(tz_tensor a, tz_tensor b, double rtol, double atol, int equal_nan) {
  TZ_TRY
  return at::allclose(T(a), T(b), rtol, atol, equal_nan != 0) ? 1 : 0;
  TZ_CATCH(-1)
}

tz_tensor tz_from_buffer(const void* data, int dtype, const int64_t* shape, int ndim, int device_type,
                         int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  check_shape(shape, ndim);
  auto blob = at::from_blob(const_cast<void*>(data), dims(shape, ndim),
                            at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  // The managed buffer is pinned only for this call, so the tensor must own a copy.
  return wrap(blob.to(options(dtype, device_type, device_index), /*non_blocking=*/false, /*copy=*/true));
  TZ_CATCH(nullptr)
}

tz_tensor tz_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  check_shape(shape, ndim);
  return wrap(at::empty(dims(shape, ndim), options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  check_shape(shape, ndim);
  return wrap(at::full(dims(shape, ndim), value, options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_arange(double start, double end, double step, int dtype, int device_type, int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  return wrap(at::arange(start, end, step, options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_linspace(double start, double end, int64_t steps, int dtype, int device_type, int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  return wrap(at::linspace(start, end, steps, options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_eye(int64_t n, int64_t m, int dtype, int device_type, int device_index) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  return wrap(at::eye(n, m, options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_like(tz_tensor t, int kind, int dtype) {
  TZ_TRY
  auto opts = T(t).options().requires_grad(false);
  if (dtype >= 0) {
    check_dtype(dtype);
    opts = opts.dtype(static_cast<at::ScalarType>(dtype));
  }
  switch (kind) {
    case 0: return wrap(at::empty_like(T(t), opts));
    case 1: return wrap(at::zeros_like(T(t), opts));
    case 2: return wrap(at::ones_like(T(t), opts));
    case 3: return wrap(at::rand_like(T(t), opts));
    case 4: return wrap(at::randn_like(T(t), opts));
    default: fail("unknown like kind " + std::to_string(kind));
  }
  TZ_CATCH(nullptr)
}

void tz_manual_seed(uint64_t seed) {
  auto g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
}

tz_generator tz_generator_new(uint64_t seed) {
  TZ_TRY
  return new at::Generator(at::detail::createCPUGenerator(seed));
  TZ_CATCH(nullptr)
}

void tz_generator_free(tz_generator g) { delete gen(g); }

tz_generator tz_default_generator(void) {
  TZ_TRY
  return new at::Generator(at::detail::getDefaultCPUGenerator());
  TZ_CATCH(nullptr)
}

int tz_generator_set_seed(tz_generator g, uint64_t seed) {
  TZ_TRY
  std::lock_guard<std::mutex> lock(gen(g)->mutex());
  gen(g)->set_current_seed(seed);
  return 0;
  TZ_CATCH(-1)
}

uint64_t tz_generator_seed(tz_generator g) { return gen(g)->current_seed(); }

tz_tensor tz_generator_get_state(tz_generator g) {
  TZ_TRY
  std::lock_guard<std::mutex> lock(gen(g)->mutex());
  return wrap(gen(g)->get_state());
  TZ_CATCH(nullptr)
}

int tz_generator_set_state(tz_generator g, tz_tensor state) {
  TZ_TRY
  std::lock_guard<std::mutex> lock(gen(g)->mutex());
  gen(g)->set_state(T(state));
  return 0;
  TZ_CATCH(-1)
}

tz_tensor tz_random(int kind, const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                    tz_generator g) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  check_shape(shape, ndim);
  auto opts = options(dtype, device_type, device_index);
  if (kind == 0) return wrap(at::rand(dims(shape, ndim), opt_gen(g), opts));
  if (kind == 1) return wrap(at::randn(dims(shape, ndim), opt_gen(g), opts));
  fail("unknown random kind " + std::to_string(kind));
  TZ_CATCH(nullptr)
}

tz_tensor tz_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int device_type,
                     int device_index, tz_generator g) {
  TZ_TRY
  check_dtype(dtype);
  check_device(device_type, device_index);
  check_shape(shape, ndim);
  return wrap(at::randint(low, high, dims(shape, ndim), opt_gen(g), options(dtype, device_type, device_index)));
  TZ_CATCH(nullptr)
}

tz_tensor tz_randperm(int64_t n, int device_type, int device_index, tz_generator g) {
  TZ_TRY
  check_device(device_type, device_index);
  return wrap(at::randperm(n, opt_gen(g), options(static_cast<int>(at::kLong), device_type, device_index)));
  TZ_CATCH(nullptr)
}

int tz_random_(tz_tensor t, int kind, double a, double b, tz_generator g) {
  TZ_TRY
  at::NoGradGuard no_grad;
  switch (kind) {
    case 0: T(t).uniform_(a, b, opt_gen(g)); break;
    case 1: T(t).normal_(a, b, opt_gen(g)); break;
    case 2: T(t).bernoulli_(a, opt_gen(g)); break;
    default: fail("unknown random kind " + std::to_string(kind));
  }
  return 0;
  TZ_CATCH(-1)
}

}  // extern "C"
