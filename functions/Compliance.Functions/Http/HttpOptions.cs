using System.ComponentModel.DataAnnotations;

namespace Compliance.Functions.Http;

/// <summary>Limits on HTTP input (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>The largest JSON body accepted, in bytes; larger bodies are refused before they are parsed.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxJsonBodyBytes { get; set; } = 64 * 1024;
}
