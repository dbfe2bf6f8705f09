using System.ComponentModel.DataAnnotations;

namespace Compliance.Functions.Http;

/// <summary>Limits on HTTP input (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>The largest JSON body accepted, in bytes; larger bodies are refused before they are parsed.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxJsonBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The header a trusted proxy puts the caller's address in (<c>X-Forwarded-For</c> behind App Service), whose last entry
    /// rate limits count by (<see cref="ClientAddress"/>). Unset, the connection's address: a header is never trusted by
    /// default, since a caller who reaches the app directly writes whatever it likes in it.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9-]{1,64}$", ErrorMessage = "Http:ClientAddressHeader must be a header name: letters, digits and '-'.")]
    public string? ClientAddressHeader { get; set; }
}
