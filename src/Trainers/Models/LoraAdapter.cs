using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// The LoRA path of one <see cref="Linear"/>: y = x·Wᵀ + b + (α/r)·B(A(dropout(x))). A and B are registered on the
/// base layer as children <c>lora_A</c> (weight r × in) and <c>lora_B</c> (weight out × r), so their names are
/// <c>….qkv.lora_A.weight</c> and <c>….qkv.lora_B.weight</c> (as Hugging Face PEFT). Created by <see cref="Lora.Apply"/>.
/// </summary>
public sealed class LoraAdapter : ILinearAdapter
{
    internal LoraAdapter(Linear baseLayer, LoraOptions options, Generator? generator)
    {
        Base = baseLayer;
        Options = options;
        A = new Linear(baseLayer.InFeatures, options.Rank, false, generator);
        B = new Linear(options.Rank, baseLayer.OutFeatures, false, generator);
        Init.Zeros_(B.Weight);
        baseLayer.AddModule("lora_A", A);
        baseLayer.AddModule("lora_B", B);
        baseLayer.Adapter = this;
    }

    /// <summary>The adapted layer.</summary>
    public Linear Base { get; }

    public LoraOptions Options { get; }

    /// <summary>Down projection (in → r).</summary>
    public Linear A { get; }

    /// <summary>Up projection (r → out), zero at creation.</summary>
    public Linear B { get; }

    /// <summary>True while (α/r)·B·A is folded into the base weight (the adapter path is then skipped).</summary>
    public bool IsMerged { get; private set; }

    public Tensor Adapt(Tensor input, Tensor output)
    {
        if (IsMerged) return output;
        Tensor x = Base.IsTraining && Options.Dropout > 0 ? Functional.Dropout(input, Options.Dropout, true) : input;
        return output.Add(B.Forward(A.Forward(x)), Options.Scaling);
    }

    /// <summary>W ← W + (α/r)·B·A; the layer then costs no more than the base one. No-op if already merged.</summary>
    public void Merge()
    {
        if (IsMerged) return;
        Fold(+Options.Scaling);
        IsMerged = true;
    }

    /// <summary>W ← W − (α/r)·B·A, restoring the separate adapter path. No-op if not merged.</summary>
    public void Unmerge()
    {
        if (!IsMerged) return;
        Fold(-Options.Scaling);
        IsMerged = false;
    }

    private void Fold(double scale)
    {
        using var noGrad = Autograd.NoGrad();
        using var scope = DisposeScope.Enter();
        Base.Weight.Add_(B.Weight.Matmul(A.Weight), scale);
    }
}
