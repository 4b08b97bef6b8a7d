namespace TorchZoo.Torch.Tests;

/// <summary><see cref="Tensor.Kthvalue"/>: the value a sort puts at k − 1, by selection.</summary>
public class KthvalueTests
{
    [Test]
    public void EqualsTheSortedValueAtEveryRank()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(3);
        // Rounded so that ties occur, plus a NaN, which counts as the largest.
        Tensor x = Tensor.Randn(new long[] { 4, 257 }, g).Mul(4).Round();
        x.Select(0, 2).Select(0, 5).Fill_(double.NaN);
        var (sorted, _) = x.Sort();
        foreach (long k in new long[] { 1, 2, 100, 255, 256, 257 })
        {
            var (values, indices) = x.Kthvalue(k);
            values.Shape.Should().Equal(4);
            for (long row = 0; row < 4; row++)
            {
                double want = sorted.Select(0, row).Select(0, k - 1).Item(), got = values.Select(0, row).Item();
                if (double.IsNaN(want)) double.IsNaN(got).Should().BeTrue();
                else got.Should().Be(want, $"row {row}, k {k}");
                double at = x.Select(0, row).Select(0, (long)indices.Select(0, row).Item()).Item();
                (double.IsNaN(got) ? double.IsNaN(at) : at == got).Should().BeTrue("the index points at the value");
            }
        }
        x.Kthvalue(3, dim: 0, keepDim: true).Values.Shape.Should().Equal(1, 257);
    }

    [Test]
    public void ARankOutsideTheDimensionIsRefused()
    {
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Zeros(5);
        ((Action)(() => x.Kthvalue(6))).Should().Throw<TorchException>().WithMessage("*out of range*");
        ((Action)(() => x.Kthvalue(0))).Should().Throw<TorchException>();
    }
}
