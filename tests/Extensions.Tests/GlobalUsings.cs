global using FluentAssertions;
global using NUnit.Framework;
global using TorchZoo.Extensions;
global using TorchZoo.Extensions.Data;
global using TorchZoo.Torch;
