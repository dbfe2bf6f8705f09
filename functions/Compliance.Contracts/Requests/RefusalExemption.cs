namespace Compliance.Requests;

/// <summary>The exemptions a refusal may rest on: a stable code for records and a plain-words legal label for letters.</summary>
public static class RefusalExemption
{
    /// <summary>Research: the data is used for research, and removing it would make the research impossible or seriously impair it.</summary>
    public const string Research = "research";

    /// <summary>A manifestly unfounded request.</summary>
    public const string ManifestlyUnfounded = "manifestly-unfounded";

    /// <summary>A manifestly excessive request, for example one that repeats an earlier request.</summary>
    public const string Excessive = "excessive";

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        [Research] = "the research exemption (UK GDPR Article 17(3)(d) and the Data Protection Act 2018, Schedule 2, paragraph 27): " +
                     "the information is used for research, and removing it would make the research impossible or seriously impair it",
        [ManifestlyUnfounded] = "the request is manifestly unfounded (UK GDPR Article 12(5))",
        [Excessive] = "the request is manifestly excessive, for example because it repeats an earlier request (UK GDPR Article 12(5))",
    };

    /// <summary>Every code, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [Research, ManifestlyUnfounded, Excessive];

    /// <summary>Whether <paramref name="code"/> is one of the codes (exactly, lower case).</summary>
    public static bool IsKnown(string? code) => code is not null && Labels.ContainsKey(code);

    /// <summary>The legal basis of <paramref name="code"/> in plain words, to quote in a refusal.</summary>
    public static string LabelOf(string code) =>
        code is not null && Labels.TryGetValue(code, out var label) ? label : throw new ArgumentOutOfRangeException(nameof(code), code, "not a refusal exemption");
}
