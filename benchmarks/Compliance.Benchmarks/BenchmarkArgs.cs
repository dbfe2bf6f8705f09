using System.Globalization;

namespace Compliance.Benchmarks;

/// <summary>The benchmarks' command-line options: <c>--name value</c>.</summary>
internal static class BenchmarkArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/> when it is absent or not a number.</summary>
    public static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
