namespace TorchZoo.Torch.Interop;

// Mirrors of the shim's op-code enums (tz.h); the order must match the header exactly.

internal enum UnaryOp
{
    Neg, Abs, Sign, Sqrt, Rsqrt, Exp, Log, Sin, Cos, Tanh, Sigmoid, Relu, Gelu, GeluTanh, Silu, Reciprocal,
    Square, Floor, Ceil, Round, Log1p, Expm1, Erf, IsNan, IsInf, IsFinite, LogicalNot, Log2, Trunc, Zero, Softplus, Erfinv,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor,
    Atan2, Fmod, Remainder, Copy,
}

internal enum ReduceOp
{
    Sum, Mean, Prod, Amax, Amin, All, Any, LogSumExp, Var, Std, Norm,
}

internal enum MatmulOp
{
    Matmul, Mm, Bmm, Outer, Dot,
}
