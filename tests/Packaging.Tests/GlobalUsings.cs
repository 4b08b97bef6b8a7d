global using FluentAssertions;
global using NUnit.Framework;
