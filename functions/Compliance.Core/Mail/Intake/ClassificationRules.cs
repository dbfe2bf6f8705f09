using Compliance.Requests;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Compliance.Mail.Intake;

/// <summary>A phrase of the classifier's rules and the weight it adds to its type's score.</summary>
public sealed record ClassificationPhrase(string Type, string Text, IReadOnlyList<string> Words, double Weight);

/// <summary>
/// The classifier's rules, from <c>data/intake-classification.yaml</c> (embedded in this assembly) or a copy of it: phrases
/// with weights per request type, the thresholds, negators and filler words. Checked when read: a wrong file is refused
/// with what is wrong.
/// </summary>
public sealed class ClassificationRules
{
    public const string FileName = "intake-classification.yaml";
    public const string ResourceName = "Compliance.Intake." + FileName;

    private static readonly Lazy<ClassificationRules> Embedded = new(() =>
    {
        using var stream = typeof(ClassificationRules).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded " + FileName);
    });

    private ClassificationRules(double fullConfidenceAt, double intentFloor, double triageBelow, IReadOnlySet<string> negators, IReadOnlySet<string> fillers, IReadOnlyList<ClassificationPhrase> phrases)
    {
        FullConfidenceAt = fullConfidenceAt;
        IntentFloor = intentFloor;
        TriageBelow = triageBelow;
        Negators = negators;
        Fillers = fillers;
        Phrases = phrases;
    }

    /// <summary>The rules built into this assembly.</summary>
    public static ClassificationRules Default => Embedded.Value;

    /// <summary>The score that is full confidence.</summary>
    public double FullConfidenceAt { get; }

    /// <summary>The confidence from which a type counts as an intent of the message.</summary>
    public double IntentFloor { get; }

    /// <summary>Below this best confidence, staff confirm the type.</summary>
    public double TriageBelow { get; }

    public IReadOnlySet<string> Negators { get; }

    public IReadOnlySet<string> Fillers { get; }

    public IReadOnlyList<ClassificationPhrase> Phrases { get; }

    /// <summary>Reads rules from YAML text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not valid rules.</exception>
    public static ClassificationRules Parse(string yaml, string source = "classification rules")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        RulesFile file;
        try
        {
            file = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<RulesFile>(yaml)
                ?? throw new InvalidDataException($"{source}: empty");
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"{source}: not valid ({ex.Start.Line}:{ex.Start.Column}): {ex.Message}", ex);
        }

        if (file.Version != 1)
        {
            throw new InvalidDataException($"{source}: version must be 1");
        }

        if (file.FullConfidenceAt <= 0 || file.IntentFloor is <= 0 or > 1 || file.TriageBelow is <= 0 or > 1)
        {
            throw new InvalidDataException($"{source}: fullConfidenceAt must be positive, intentFloor and triageBelow in (0, 1]");
        }

        var phrases = new List<ClassificationPhrase>();
        foreach (var (type, entries) in file.Types ?? [])
        {
            if (!RequestType.IsValid(type))
            {
                throw new InvalidDataException($"{source}: '{type}' is not a request type ({string.Join(", ", RequestType.All)})");
            }

            foreach (var (text, weight) in entries ?? [])
            {
                var words = PhraseText.Words(text).Where(w => w != PhraseText.Break).ToList();
                if (words.Count == 0 || weight <= 0)
                {
                    throw new InvalidDataException($"{source}: {type}: the phrase '{text}' must have words and a positive weight");
                }

                phrases.Add(new ClassificationPhrase(type, text, words, weight));
            }
        }

        var missing = RequestType.All.Where(t => phrases.All(p => p.Type != t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{source}: no phrases for {string.Join(", ", missing)}");
        }

        return new ClassificationRules(
            file.FullConfidenceAt,
            file.IntentFloor,
            file.TriageBelow,
            new HashSet<string>(file.Negators ?? [], StringComparer.Ordinal),
            new HashSet<string>(file.Fillers ?? [], StringComparer.Ordinal),
            phrases);
    }

    /// <summary>Loads rules from a file in the format of <c>data/intake-classification.yaml</c>.</summary>
    public static ClassificationRules Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(File.ReadAllText(path), path);
    }

    private sealed class RulesFile
    {
        public int Version { get; set; }

        public double FullConfidenceAt { get; set; }

        public double IntentFloor { get; set; }

        public double TriageBelow { get; set; }

        public List<string>? Negators { get; set; }

        public List<string>? Fillers { get; set; }

        public Dictionary<string, Dictionary<string, double>?>? Types { get; set; }
    }
}
