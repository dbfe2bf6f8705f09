using System.Globalization;

namespace Compliance.Benchmarks;

/// <summary>The benchmarks' command-line options: <c>--name value</c>.</summary>
internal static class BenchmarkArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/> when it is absent or not a number.</summary>
    public static int Option(string[] args, string name, int fallback) =>
        int.TryParse(Option(args, name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>The word after <paramref name="name"/>, or null when it is absent.</summary>
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
