namespace Compliance.Anonymisation;

/// <summary>The formats a raw transcript can be read from.</summary>
public enum TranscriptFormat
{
    /// <summary>Text, UTF-8 unless a byte order mark says otherwise, any line endings.</summary>
    PlainText,

    /// <summary>A Word document (Office Open XML).</summary>
    Docx,
}

/// <summary>Which <see cref="TranscriptFormat"/> an uploaded transcript is, from its content type or file name.</summary>
public static class TranscriptFormats
{
    public const string DocxContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>The format of a transcript with this content type or, failing that, this name's extension; false for anything else.</summary>
    public static bool TryGet(string? contentType, string? name, out TranscriptFormat format)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        if (string.Equals(mediaType, DocxContentType, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(Path.GetExtension(name), ".docx", StringComparison.OrdinalIgnoreCase))
        {
            format = TranscriptFormat.Docx;
            return true;
        }

        if (mediaType is not null && mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(Path.GetExtension(name), ".txt", StringComparison.OrdinalIgnoreCase))
        {
            format = TranscriptFormat.PlainText;
            return true;
        }

        format = default;
        return false;
    }
}
