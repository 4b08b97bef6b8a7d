/* The evidence for src/Native/src/linear.cpp: the four linear layers of one chirp-ViT block (T token rows, width 192,
 * MLP 768), forward and backward, with OpenBLAS threading each product itself against the shim's way (a block of rows
 * per thread in the forward; the input and weight gradients side by side, one thread each, in the backward).
 *
 *   gcc -O2 -fopenmp bench/VitStep/linear_split.c -o /tmp/linear_split /usr/lib/x86_64-linux-gnu/libblas.so.3
 *   /tmp/linear_split [T = 520] [repeats = 300]      (T = 520 is batch 8, 4160 batch 64)
 *
 * Set OPENBLAS_CORETYPE as TorchZoo does (e.g. SkylakeX); the kernel set in use is printed first. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
char* openblas_get_corename(void) __attribute__((weak));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Row-major C (m × n) = op(A) · op(B): column-major BLAS computes Cᵀ = op(B)ᵀ · op(A)ᵀ. */
static void gemm(int ta, int tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  const float one = 1, zero = 0;
  sgemm_(tb ? "T" : "N", ta ? "T" : "N", &n, &m, &k, &one, b, &ldb, a, &lda, &zero, c, &ldc);
}

static float* random_floats(size_t n) {
  float* p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = rand() / (float)RAND_MAX - 0.5f;
  return p;
}

int main(int argc, char** argv) {
  const int T = argc > 1 ? atoi(argv[1]) : 520, R = argc > 2 ? atoi(argv[2]) : 300;
  const int layers[4][2] = {{192, 576}, {192, 192}, {192, 768}, {768, 192}};
  const char* names[4] = {"qkv", "proj", "fc1", "fc2"};
  printf("OpenBLAS kernels: %s; T = %d rows, 2 threads\n", openblas_get_corename ? openblas_get_corename() : "?", T);
  double sum[4] = {0};
  omp_set_num_threads(2);
  for (int l = 0; l < 4; l++) {
    const int in = layers[l][0], out = layers[l][1];
    float *x = random_floats((size_t)T * in), *w = random_floats((size_t)out * in), *y = random_floats((size_t)T * out);
    float *dy = random_floats((size_t)T * out), *dx = random_floats((size_t)T * in), *dw = random_floats((size_t)out * in);
    double t[4];
    for (int mode = 0; mode < 4; mode++) {
      for (int rep = -10; rep < R; rep++) {
        if (rep == 0) t[mode] = now();
        if (mode == 0) {  /* forward, OpenBLAS's threads */
          gemm(0, 1, T, out, in, x, in, w, in, y, out);
        } else if (mode == 1) {  /* forward, half the rows per thread */
#pragma omp parallel num_threads(2)
          {
            const int id = omp_get_thread_num(), h = T / 2, r0 = id ? h : 0, rows = id ? T - h : h;
            gemm(0, 1, rows, out, in, x + (size_t)r0 * in, in, w, in, y + (size_t)r0 * out, out);
          }
        } else if (mode == 2) {  /* backward, OpenBLAS's threads for each product in turn */
          gemm(0, 0, T, in, out, dy, out, w, in, dx, in);
          gemm(1, 0, out, in, T, dy, out, x, in, dw, in);
        } else {  /* backward, dX on one thread while dW runs on the other */
#pragma omp parallel num_threads(2)
          {
            if (omp_get_thread_num() == 0) gemm(0, 0, T, in, out, dy, out, w, in, dx, in);
            else gemm(1, 0, out, in, T, dy, out, x, in, dw, in);
          }
        }
      }
      t[mode] = (now() - t[mode]) / R;
      sum[mode] += t[mode];
    }
    const double gflop = 2.0 * T * in * out / 1e9;
    printf("%-5s forward %5.0f -> %5.0f GFLOP/s | backward %5.0f -> %5.0f GFLOP/s\n", names[l], gflop / t[0], gflop / t[1],
           2 * gflop / t[2], 2 * gflop / t[3]);
    free(x), free(w), free(y), free(dy), free(dx), free(dw);
  }
  printf("one block: forward %.3f -> %.3f ms, backward %.3f -> %.3f ms (OpenBLAS's threads -> split by the caller)\n",
         sum[0] * 1e3, sum[1] * 1e3, sum[2] * 1e3, sum[3] * 1e3);
  return 0;
}
