using System.Text.RegularExpressions;

namespace Compliance.Anonymisation;

/// <summary>A stretch of text to remove and what it is.</summary>
internal readonly record struct Redaction(int Start, int Length, RedactionCategory Category);

/// <summary>Finds what anonymisation removes from running text: names, emails, phones, postcodes, the redaction list.</summary>
internal sealed partial class Redactor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    // A name or phrase is a whole word: no letter, mark or digit may touch it. An apostrophe may ("Sam's").
    private const string Before = @"(?<![\p{L}\p{M}\p{N}])";
    private const string After = @"(?![\p{L}\p{M}\p{N}])";

    // Separators people put in telephone numbers.
    private const string PhoneSeparators = @"[\s.()\-]*";

    // Two-letter postcode areas of the UK, for outward codes standing alone; single-letter areas (B, E, M, …) are left
    // out there because "M1" or "B1" are as likely a motorway or a paper size.
    private static readonly HashSet<string> TwoLetterAreas = new(StringComparer.Ordinal)
    {
        "AB", "AL", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH", "CM", "CO", "CR", "CT", "CV",
        "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "EC", "EH", "EN", "EX", "FK", "FY", "GL", "GU", "GY", "HA",
        "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "LA", "LD", "LE", "LL",
        "LN", "LS", "LU", "ME", "MK", "ML", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR",
        "RG", "RH", "RM", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF",
        "TN", "TQ", "TR", "TS", "TW", "UB", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
    };

    private static readonly HashSet<string> OneLetterAreas = new(StringComparer.Ordinal) { "B", "E", "G", "L", "M", "N", "S", "W" };

    // Outward codes that are more often something else (carbon dioxide).
    private static readonly HashSet<string> AmbiguousOutwardCodes = new(StringComparer.Ordinal) { "CO2", "SO2" };

    private readonly List<(Regex Pattern, RedactionCategory Category)> terms = [];

    public Redactor(AnonymisationOptions options)
    {
        var commonWords = new HashSet<string>(options.CommonWordNames, StringComparer.OrdinalIgnoreCase);

        // A name shared by the requester and someone else is taken as the other person's: the requester should not read
        // [PARTICIPANT] where someone else was meant.
        var names = new Dictionary<string, RedactionCategory>(StringComparer.OrdinalIgnoreCase);
        foreach (var person in options.People)
        {
            var category = options.OwnParticipantId is null || person.ParticipantId == options.OwnParticipantId
                ? RedactionCategory.Participant
                : RedactionCategory.OtherParticipant;

            // "Alex J. Morgan" and "Alex Morgan" are each one token, not three or two.
            var full = PersonNames.FullName(person.Name);
            List<string> phrases = [.. PersonNames.Parts(person.Name)];
            if (full.Count >= 2)
            {
                phrases.Add(string.Join(' ', full));
                phrases.Add($"{full[0]} {full[^1]}");
            }

            foreach (var phrase in phrases)
            {
                names[phrase] = names.TryGetValue(phrase, out var existing) && existing == RedactionCategory.OtherParticipant
                    ? existing
                    : category;
            }

            if (!string.IsNullOrWhiteSpace(person.Email))
            {
                terms.Add((new Regex(Before + Regex.Escape(person.Email.Trim()) + After, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout), RedactionCategory.Email));
            }

            if (PhonePattern(person.Phone) is { } phone)
            {
                terms.Add((phone, RedactionCategory.Phone));
            }
        }

        foreach (var (name, category) in names)
        {
            terms.Add((PhrasePattern(name, capitalisedOnly: commonWords.Contains(name)), category));
        }

        foreach (var entry in options.RedactionList.Where(e => !string.IsNullOrWhiteSpace(e)))
        {
            terms.Add((PhrasePattern(entry.Trim(), capitalisedOnly: false), RedactionCategory.RedactionList));
        }
    }

    /// <summary>
    /// What to remove from <paramref name="text"/>, in order and without overlaps. Where matches overlap the longest
    /// wins (an email over the name in it, "Sam Patel" over "Sam"); between equals, the earliest.
    /// </summary>
    public IReadOnlyList<Redaction> Find(string text)
    {
        var found = new List<Redaction>();
        foreach (var (pattern, category) in terms)
        {
            found.AddRange(pattern.Matches(text).Select(m => new Redaction(m.Index, m.Length, category)));
        }

        found.AddRange(Email().Matches(text).Select(m => new Redaction(m.Index, m.Length, RedactionCategory.Email)));
        found.AddRange(UkPhone().Matches(text).Select(m => new Redaction(m.Index, m.Length, RedactionCategory.Phone)));
        found.AddRange(FullPostcode().Matches(text)
            .Where(m => IsArea(m.Groups["area"].Value.ToUpperInvariant()))
            .Select(m => new Redaction(m.Index, m.Length, RedactionCategory.Postcode)));
        found.AddRange(OutwardCode().Matches(text)
            .Where(m => TwoLetterAreas.Contains(m.Groups["area"].Value) && !AmbiguousOutwardCodes.Contains(m.Value))
            .Select(m => new Redaction(m.Index, m.Length, RedactionCategory.Postcode)));

        var taken = new bool[text.Length];
        var chosen = new List<Redaction>();
        foreach (var candidate in found.OrderByDescending(r => r.Length).ThenBy(r => r.Start))
        {
            if (candidate.Length == 0 || Enumerable.Range(candidate.Start, candidate.Length).Any(i => taken[i]))
            {
                continue;
            }

            Array.Fill(taken, true, candidate.Start, candidate.Length);
            chosen.Add(candidate);
        }

        return chosen.OrderBy(r => r.Start).ToList();
    }

    private static bool IsArea(string area) => area.Length == 2 ? TwoLetterAreas.Contains(area) : OneLetterAreas.Contains(area);

    // Words of the phrase in order, any whitespace between them, either apostrophe, in any case; a name that is also a
    // word only as written in a name (Title case or capitals).
    private static Regex PhrasePattern(string phrase, bool capitalisedOnly)
    {
        static string Words(string text) =>
            string.Join(@"\s+", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Word));

        // An initial may be written with a dot ("J.").
        static string Word(string word) =>
            Apostrophe().Replace(Regex.Escape(word), "['’]") + (word.Length == 1 && char.IsLetter(word[0]) ? @"\.?" : string.Empty);

        if (!capitalisedOnly)
        {
            return new Regex(Before + Words(phrase) + After, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout);
        }

        var title = char.ToUpperInvariant(phrase[0]) + phrase[1..].ToLowerInvariant();
        return new Regex(Before + "(?:" + Words(title) + "|" + Words(phrase.ToUpperInvariant()) + ")" + After, RegexOptions.CultureInvariant, Timeout);
    }

    // The person's own number in any spacing and with or without the UK prefix; also numbers the UK pattern would miss.
    private static Regex? PhonePattern(string? phone)
    {
        var digits = new string((phone ?? string.Empty).Where(char.IsAsciiDigit).ToArray());
        var international = phone?.TrimStart().StartsWith('+') == true || digits.StartsWith("00", StringComparison.Ordinal);
        digits = digits.StartsWith("00", StringComparison.Ordinal) ? digits[2..] : digits;
        if (digits.Length < 6)
        {
            return null;
        }

        string pattern;
        if (international && digits.StartsWith("44", StringComparison.Ordinal) || !international && digits.StartsWith('0'))
        {
            // UK: +44 1632 960001, +44 (0)1632 960001, 01632 960001 are one number.
            var national = digits.StartsWith("44", StringComparison.Ordinal) ? digits[2..].TrimStart('0') : digits[1..];
            pattern = @"(?:(?:\+|00)\s?44" + PhoneSeparators + @"(?:\(0\)" + PhoneSeparators + ")?|0" + PhoneSeparators + ")" + Spaced(national);
        }
        else
        {
            // Elsewhere: with its country code, or without one (its length unknown: one to three digits).
            var local = Enumerable.Range(1, 3).Where(k => digits.Length - k >= 7).Select(k => Spaced(digits[k..]));
            pattern = @"(?:(?:(?:\+|00)\s?)?" + Spaced(digits) + string.Concat(local.Select(l => "|" + l)) + ")";
        }

        return new Regex(@"(?<![\p{N}+])\(?" + pattern + @"(?!\p{N})", RegexOptions.CultureInvariant, Timeout);

        static string Spaced(string digits) => string.Join(PhoneSeparators, digits.Select(d => d.ToString()));
    }

    [GeneratedRegex("['’]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Apostrophe();

    [GeneratedRegex(@"(?<![\p{L}\p{N}._%+'\-])[\p{L}\p{N}._%+'\-]+@[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?)+", RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Email();

    // UK numbers: 0 and 9 or 10 digits, or +44 / 0044 with an optional (0); spaces, dots, dashes and brackets between.
    [GeneratedRegex(
        """
        (?<![\p{L}\p{N}+])
        (?:(?:\+|00)\s?44[\s.\-]?(?:\(0\)[\s.\-]?)?\(?[1-9] | \(?0[1-9])
        (?:[\s.\-]?\)?[\s.\-]?\d){8,9}
        (?![\p{L}\p{N}])
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex UkPhone();

    // NP10 8XG, SW1A 1AA, EC1A 1BB, M1 1AE, cm144lx: area, district, optional space, inward code. The area is checked after.
    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?<area>[A-Z]{1,2})\d[A-Z\d]?\s?\d[A-Z]{2}(?![\p{L}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex FullPostcode();

    // An outward code alone ("the office in NP10"): capitals only, two-letter area, so "me2" or "co1" in prose are left.
    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?<area>[A-Z]{2})\d[A-Z\d]?(?![\p{L}\p{N}])", RegexOptions.CultureInvariant, 2000)]
    private static partial Regex OutwardCode();
}
