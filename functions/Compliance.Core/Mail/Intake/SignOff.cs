using System.Text.RegularExpressions;

namespace Compliance.Mail.Intake;

/// <summary>
/// The end of a message that is no part of its request: the sign-off and what follows it (name, job title, phone numbers,
/// "Sent from my iPhone") and confidentiality disclaimers. A job title such as "Head of Performance and Data" must not be read
/// as a wish, so the classifier reads the text without them. Only a short tail is taken for a signature: a sign-off line
/// followed by more than <see cref="MaxSignatureLines"/> lines is the middle of a message, and stays.
/// </summary>
public static partial class SignOff
{
    /// <summary>The most lines after a sign-off that are taken for a signature.</summary>
    public const int MaxSignatureLines = 12;

    /// <summary>The text without its signature and disclaimers.</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var end = lines.Length;
        for (var i = 0; i < lines.Length; i++)
        {
            if (Disclaimer().IsMatch(lines[i]) || Device().IsMatch(lines[i]))
            {
                end = i;
                break;
            }
        }

        for (var i = end - 1; i > 0; i--)
        {
            if (end - i - 1 > MaxSignatureLines)
            {
                break;
            }

            // The last closing only: a "Thanks," higher up may be followed by more of the request.
            if (Closing().IsMatch(lines[i]))
            {
                end = i;
                break;
            }
        }

        return string.Join('\n', lines[..end]).TrimEnd();
    }

    // A line that is only a closing: "Kind regards,", "Many thanks", "Best wishes", "Diolch", "Yours sincerely".
    [GeneratedRegex(@"^\s*((kind|warm|best|many)\s+(regards|wishes|thanks)|regards|best|thanks|thank\s+you|cheers|yours\s+(sincerely|faithfully|truly)|sincerely|diolch(\s+yn\s+fawr)?|cofion(\s+gorau)?|all\s+the\s+best|with\s+thanks)\s*[,.!]?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Closing();

    [GeneratedRegex(@"^\s*(sent\s+from\s+my\s+\w+|get\s+outlook\s+for\s+\w+|sent\s+from\s+outlook\s+for\s+\w+|sent\s+from\s+(yahoo|mail)\s+for\s+\w+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Device();

    [GeneratedRegex(@"^\s*(this\s+e-?mail\s+(and\s+any|is\s+confidential|may\s+contain|message)|confidentiality\s+notice|disclaimer\s*:|the\s+information\s+(contained\s+)?in\s+this\s+(e-?mail|message)|\*{0,3}\s*confidential)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Disclaimer();
}
