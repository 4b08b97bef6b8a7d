// C++ floor for the Foundation per-op benchmark: the same tiny in-place ops the C# and PyTorch sides
// time, called on at::Tensor directly (dispatcher and kernel only: no C ABI, no P/Invoke, no Python).
//
//   foundation_floor OP NUMEL CALLS REPS THREADS
//
// prints REPS lines, each the microseconds per call of one timed loop of CALLS calls.
// OP: add_, mul_, addcmul_ (the benchmark's ops), and diagnostics for mul_ by a scalar, which showed
// where its time goes (docs/benchmarks.md): mul_wrapped (fresh double wrapped number, as ATen's
// Scalar overload), mul_cached (reused double one), mul_freshf / mul_freshf2 (fresh float32 one via
// at::empty / at::detail::empty_cpu), mul_cachedf (reused float32 one: the shim's fast path),
// mul_tensor (a 16-element tensor operand).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/EmptyTensor.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s OP NUMEL CALLS REPS THREADS   (OP: add_, mul_, addcmul_, or a mul_ diagnostic)\n", argv[0]);
    return 2;
  }
  const char* op = argv[1];
  const int64_t numel = std::atoll(argv[2]);
  const long calls = std::atol(argv[3]);
  const int reps = std::atoi(argv[4]);
  at::set_num_threads(std::atoi(argv[5]));
  c10::AutoGradMode no_grad(false);  // the C# and PyTorch sides also time under no-grad

  at::Tensor x = at::ones({numel});
  at::Tensor y = at::full({numel}, 1e-3);
  at::Tensor t1 = at::full({numel}, 0.5);
  at::Tensor t2 = at::full({numel}, 0.25);

  std::function<void(long)> run;
  if (std::strcmp(op, "add_") == 0)
    run = [&](long n) { for (long i = 0; i < n; ++i) x.add_(y); };
  else if (std::strcmp(op, "mul_") == 0)
    run = [&](long n) { for (long i = 0; i < n; ++i) x.mul_(0.999999); };
  else if (std::strcmp(op, "mul_wrapped") == 0)
    run = [&](long n) {
      for (long i = 0; i < n; ++i) {
        at::Tensor w = at::scalar_to_tensor(at::Scalar(0.999999));
        w.unsafeGetTensorImpl()->set_wrapped_number(true);
        x.mul_(w);
      }
    };
  else if (std::strcmp(op, "mul_cached") == 0)
    run = [&](long n) {
      at::Tensor w = at::scalar_to_tensor(at::Scalar(0.999999));
      w.unsafeGetTensorImpl()->set_wrapped_number(true);
      for (long i = 0; i < n; ++i) {
        *w.data_ptr<double>() = 0.999999;
        x.mul_(w);
      }
    };
  else if (std::strcmp(op, "mul_freshf") == 0)
    run = [&](long n) {
      for (long i = 0; i < n; ++i) {
        at::Tensor w = at::empty({}, at::kFloat);
        *w.data_ptr<float>() = static_cast<float>(0.999999);
        w.unsafeGetTensorImpl()->set_wrapped_number(true);
        x.mul_(w);
      }
    };
  else if (std::strcmp(op, "mul_freshf2") == 0)
    run = [&](long n) {
      for (long i = 0; i < n; ++i) {
        at::Tensor w = at::detail::empty_cpu({}, at::kFloat, false, c10::nullopt);
        *w.data_ptr<float>() = static_cast<float>(0.999999);
        w.unsafeGetTensorImpl()->set_wrapped_number(true);
        x.mul_(w);
      }
    };
  else if (std::strcmp(op, "mul_cachedf") == 0)
    run = [&](long n) {
      at::Tensor w = at::empty({}, at::kFloat);
      w.unsafeGetTensorImpl()->set_wrapped_number(true);
      for (long i = 0; i < n; ++i) {
        *w.data_ptr<float>() = static_cast<float>(0.999999);
        x.mul_(w);
      }
    };
  else if (std::strcmp(op, "mul_tensor") == 0)
    run = [&](long n) { for (long i = 0; i < n; ++i) x.mul_(t1); };
  else if (std::strcmp(op, "addcmul_") == 0)
    run = [&](long n) { for (long i = 0; i < n; ++i) x.addcmul_(t1, t2, 1e-3); };
  else {
    std::fprintf(stderr, "unknown op %s\n", op);
    return 2;
  }

  run(calls / 10 + 1);  // warm-up
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    run(calls);
    auto t1c = std::chrono::steady_clock::now();
    double us = std::chrono::duration<double, std::micro>(t1c - t0).count() / static_cast<double>(calls);
    std::printf("%.6f\n", us);
  }
  return 0;
}
