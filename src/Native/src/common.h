// Internal helpers shared by the shim's sources: error capture, handle conversion, argument decoding.
#pragma once

#include <ATen/ATen.h>
#include <atomic>
#include <string>
#include <vector>

#include "tz.h"

namespace tz {

void set_error(const char* message);
extern std::atomic<int64_t> live_tensors;

inline at::Tensor& T(tz_tensor t) { return *static_cast<at::Tensor*>(t); }

// Takes ownership of a result: the only place a handle is born, so the live count stays exact.
inline tz_tensor wrap(at::Tensor t) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline std::vector<at::Tensor> list(const tz_tensor* xs, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(T(xs[i]));
  return v;
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

// Checked here rather than left to libtorch, which asserts (aborts) on some bad enum values.
void check_dtype(int dtype);
void check_device(int device_type, int device_index);

[[noreturn]] void fail(const std::string& message);

}  // namespace tz

// Every export body runs inside TZ_TRY ... TZ_CATCH(value returned on failure).
#define TZ_TRY \
  try {
#define TZ_CATCH(failed)                            \
  }                                                 \
  catch (const c10::Error& e) {                     \
    tz::set_error(e.what_without_backtrace());      \
    return failed;                                  \
  }                                                 \
  catch (const std::exception& e) {                 \
    tz::set_error(e.what());                        \
    return failed;                                  \
  }                                                 \
  catch (...) {                                     \
    tz::set_error("unknown native error");          \
    return failed;                                  \
  }
