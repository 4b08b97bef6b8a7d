// Image ops: resampling of (N, C, spatial...) tensors, as torch.nn.functional.interpolate with a size.
#include "common.h"

using namespace tz;

namespace {

// Modes, numbered as tz_interp_mode in tz.h.
constexpr int kNearest = 0, kLinear = 1, kCubic = 2, kArea = 3;

}  // namespace

extern "C" {

tz_tensor tz_interpolate(tz_tensor x, const int64_t* size, int nsize, int mode, int align_corners) {
  TZ_TRY
  const at::Tensor& input = T(x);
  const int64_t spatial = input.dim() - 2;
  if (spatial < 1 || spatial > 3)
    fail("interpolate expects a 3-D, 4-D or 5-D input (N, C, spatial...), got " + std::to_string(input.dim()) + "-D");
  if (nsize != spatial)
    fail("interpolate got " + std::to_string(nsize) + " output sizes for " + std::to_string(spatial) +
         " spatial dimensions");
  for (int i = 0; i < nsize; ++i)
    if (size[i] <= 0) fail("interpolate output sizes must be positive, got " + std::to_string(size[i]));
  if (mode < kNearest || mode > kArea) fail("interpolate mode must be 0..3, got " + std::to_string(mode));
  if (align_corners != 0 && (mode == kNearest || mode == kArea))
    fail("align_corners only applies to the linear and cubic modes");
  at::IntArrayRef out = dims(size, nsize);
  const bool ac = align_corners != 0;
  const c10::optional<double> none = c10::nullopt;
  switch (mode) {
    case kNearest:
      if (spatial == 1) return wrap(at::upsample_nearest1d(input, out, none));
      if (spatial == 2) return wrap(at::upsample_nearest2d(input, out, none, none));
      return wrap(at::upsample_nearest3d(input, out, none, none, none));
    case kLinear:
      if (spatial == 1) return wrap(at::upsample_linear1d(input, out, ac, none));
      if (spatial == 2) return wrap(at::upsample_bilinear2d(input, out, ac, none, none));
      return wrap(at::upsample_trilinear3d(input, out, ac, none, none, none));
    case kCubic:
      if (spatial != 2) fail("cubic interpolation needs a 4-D input (N, C, H, W)");
      return wrap(at::upsample_bicubic2d(input, out, ac, none, none));
    default:
      if (spatial == 1) return wrap(at::adaptive_avg_pool1d(input, out));
      if (spatial == 2) return wrap(at::adaptive_avg_pool2d(input, out));
      return wrap(at::adaptive_avg_pool3d(input, out));
  }
  TZ_CATCH(nullptr)
}

}  // extern "C"
