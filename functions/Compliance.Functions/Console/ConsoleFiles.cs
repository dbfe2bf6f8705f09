using System.Collections.Frozen;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Console;

/// <summary>
/// The published staff console (a Blazor WebAssembly app) as a fixed set of files, read once from
/// <see cref="ConsoleOptions.ContentRoot"/>. Only files in that set are ever served, so no path can reach outside it; each is
/// served precompressed (Brotli or gzip, as the publish step wrote them) when the browser takes it.
/// </summary>
public sealed class ConsoleFiles(IOptions<ConsoleOptions> options)
{
    /// <summary>The page every console route loads; the app then shows the screen its address names.</summary>
    public const string IndexPage = "index.html";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly Lazy<FrozenDictionary<string, string>> files = new(() => Read(options.Value.ContentRoot));

    /// <summary>Whether a published console was found (the hosts serve a problem saying how to build it otherwise).</summary>
    public bool IsPublished => files.Value.ContainsKey(IndexPage);

    /// <summary>
    /// The file for <paramref name="path"/> (relative to <c>/console/</c>): the file itself, or the index page for a client-side
    /// route (a last segment without an extension); null for anything else.
    /// </summary>
    public ConsoleFile? Find(string? path, string acceptEncoding)
    {
        ArgumentNullException.ThrowIfNull(acceptEncoding);
        var relative = string.IsNullOrEmpty(path) ? IndexPage : path;
        if (!files.Value.TryGetValue(relative, out var physical))
        {
            var lastSegment = relative[(relative.LastIndexOf('/') + 1)..];
            if (lastSegment.Contains('.', StringComparison.Ordinal) || !files.Value.TryGetValue(IndexPage, out physical))
            {
                return null;
            }

            relative = IndexPage;
        }

        var contentType = ContentTypes.TryGetContentType(relative, out var type) ? type : "application/octet-stream";
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/json" or "application/javascript")
        {
            contentType += "; charset=utf-8";
        }

        foreach (var (token, suffix) in new[] { ("br", ".br"), ("gzip", ".gz") })
        {
            if (Accepts(acceptEncoding, token) && files.Value.TryGetValue(relative + suffix, out var compressed))
            {
                return new ConsoleFile(compressed, contentType, token);
            }
        }

        return new ConsoleFile(physical, contentType, null);
    }

    private static bool Accepts(string acceptEncoding, string token) =>
        acceptEncoding.Split(',').Select(part => part.Split(';')[0].Trim()).Any(t => t.Equals(token, StringComparison.OrdinalIgnoreCase));

    private static FrozenDictionary<string, string> Read(string contentRoot)
    {
        var root = Path.GetFullPath(contentRoot, AppContext.BaseDirectory);
        if (!Directory.Exists(root))
        {
            return FrozenDictionary<string, string>.Empty;
        }

        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToFrozenDictionary(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'), file => file, StringComparer.Ordinal);
    }
}

/// <summary>A console file to send: where it is, its type, and the encoding it is stored in (null when plain).</summary>
public sealed record ConsoleFile(string PhysicalPath, string ContentType, string? ContentEncoding);
