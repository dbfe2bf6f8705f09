using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Shouldly;
using Xunit;

namespace Compliance.Tests.Architecture;

/// <summary>
/// STYLE.md 14: an activity is a few lines that call one use case, and a class that needs more than six dependencies is
/// doing more than one job. Every class of the Functions app with an activity takes at most six (a logger counts).
/// </summary>
public sealed class ActivityShapeTests
{
    private const int MaxDependencies = 6;

    [Fact]
    public void No_activity_class_takes_more_than_six_constructor_dependencies()
    {
        var tooMany = ActivityClasses()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Select(c => (Type: t, Count: c.GetParameters().Length)))
            .Where(c => c.Count > MaxDependencies)
            .Select(c => $"{c.Type.FullName}: {c.Count}")
            .ToList();

        tooMany.ShouldBeEmpty();
    }

    [Fact]
    public void The_activity_classes_are_found()
    {
        ActivityClasses().Count.ShouldBeGreaterThan(10);
    }

    private static List<Type> ActivityClasses() =>
        typeof(Compliance.Functions.FunctionsAppExtensions).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Any(m => m.GetParameters().Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null)))
            .ToList();
}
