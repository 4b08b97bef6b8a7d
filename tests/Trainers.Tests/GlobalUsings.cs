global using FluentAssertions;
global using NUnit.Framework;
global using TorchZoo.Torch;
global using TorchZoo.Trainers.Optimizers;
