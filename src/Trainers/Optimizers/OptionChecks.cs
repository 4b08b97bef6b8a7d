namespace TorchZoo.Trainers.Optimizers;

/// <summary>Range checks for option values; each failure names the option and the allowed range.</summary>
internal static class OptionChecks
{
    public static double NonNegative(double value, string name) =>
        value >= 0 && !double.IsNaN(value) && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0.");

    public static double Positive(double value, string name) =>
        value > 0 && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0.");

    /// <summary>A decay rate in [0, 1).</summary>
    public static double Beta(double value, string name) =>
        value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");

    /// <summary>A value strictly inside (0, 1): a rate a rule divides by, or a shrink factor such as Rprop's η−.</summary>
    public static double OpenUnitInterval(double value, string name) =>
        value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1).");

    public static double UnitInterval(double value, string name) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");

    /// <summary>A finite factor &gt; 1, such as Rprop's growth factor η+.</summary>
    public static double GreaterThanOne(double value, string name) =>
        value > 1 && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 1.");

    public static int AtLeast(int value, int min, string name) =>
        value >= min ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ {min}.");

    public static T NotNull<T>(T? value, string name) where T : class =>
        value ?? throw new ArgumentNullException(name, $"{name} must not be null.");
}
