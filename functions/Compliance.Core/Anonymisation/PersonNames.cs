namespace Compliance.Anonymisation;

/// <summary>The parts of a registered name that identify its person: the full name and each name.</summary>
internal static class PersonNames
{
    // A title or an initial is not a name: removing every "Dr" or "J" would say nothing about anyone.
    private static readonly HashSet<string> Honorifics = new(StringComparer.OrdinalIgnoreCase)
    {
        "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady", "Rev", "Revd",
    };

    /// <summary>The name's words without titles and trailing dots ("Dr Sam J. Patel" → Sam, J, Patel).</summary>
    public static IReadOnlyList<string> FullName(string? name) =>
        name is null ? [] : SpeakerTurns.Words(name).Where(w => !Honorifics.Contains(w)).ToList();

    /// <summary>Each name of the person, two letters or more, and each half of a hyphenated one ("Smith-Jones", "Smith", "Jones").</summary>
    public static IReadOnlyList<string> Parts(string? name) =>
        FullName(name)
            .SelectMany(w => w.Contains('-', StringComparison.Ordinal) ? [w, .. w.Split('-')] : new[] { w })
            .Where(w => w.Length >= 2)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
}
