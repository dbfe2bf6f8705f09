using System.ComponentModel.DataAnnotations;

namespace Compliance.Functions.Studies;

/// <summary>What may be uploaded as each kind of artifact (configuration section <c>Artifacts</c>).</summary>
public sealed class ArtifactOptions : IValidatableObject
{
    public const string SectionName = "Artifacts";

    /// <summary>Per kind (<c>recording</c>, <c>transcript</c>, <c>notes</c>): the largest upload and the content types accepted.</summary>
    public Dictionary<string, ArtifactKindOptions> Kinds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var kind in Compliance.Studies.ArtifactKind.Uploadable)
        {
            if (!Kinds.TryGetValue(kind, out var options))
            {
                yield return new ValidationResult($"Artifacts:Kinds:{kind} is not configured.");
                continue;
            }

            if (options.MaxBytes <= 0)
            {
                yield return new ValidationResult($"Artifacts:Kinds:{kind}:MaxBytes must be more than 0.");
            }

            if (options.AllowedContentTypes.Count == 0)
            {
                yield return new ValidationResult($"Artifacts:Kinds:{kind}:ContentTypes must list at least one content type.");
            }
        }
    }
}

/// <summary>The limits of one kind of artifact.</summary>
public sealed class ArtifactKindOptions
{
    public long MaxBytes { get; set; }

    /// <summary>Comma-separated content types, e.g. <c>audio/mpeg,audio/wav</c>.</summary>
    public string ContentTypes { get; set; } = string.Empty;

    public IReadOnlyList<string> AllowedContentTypes =>
        ContentTypes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The file extension blobs of a content type get, so downloads open in the right program.</summary>
    public static string ExtensionFor(string contentType) => contentType switch
    {
        "audio/mpeg" => ".mp3",
        "audio/wav" or "audio/x-wav" or "audio/wave" => ".wav",
        "audio/mp4" or "audio/x-m4a" => ".m4a",
        "audio/ogg" => ".ogg",
        "text/plain" => ".txt",
        "text/markdown" => ".md",
        "application/pdf" => ".pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        _ => ".bin",
    };
}
