using System.Reflection;

namespace Compliance.Tests.Infrastructure;

/// <summary>Where the repository and its build outputs are, from the metadata tests/Directory.Build.targets stamps in.</summary>
public static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    /// <summary>The output folder of a project under <c>functions/</c>.</summary>
    public static string OutputOf(string project) => Path.Combine(Root, "functions", project, "bin", Configuration, "net10.0");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
