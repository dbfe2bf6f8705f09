using Compliance.Requests;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Compliance.Mail.Intake;

/// <summary>
/// A phrase of the classifier's rules and the weight it adds to its type's score. <see cref="Type"/> is a request type,
/// <see cref="ClassificationRules.NoRequest"/> for a phrase that means no request (it outweighs the shorter phrases inside it:
/// "a copy of the report" is not "a copy"), or <see cref="ClassificationRules.UnlessPrefix"/> and a type for a phrase that
/// rules the type out ("keep my interview in" is no withdrawal). <see cref="Id"/> names it in audit entries and tasks.
/// </summary>
public sealed record ClassificationPhrase(string Type, string Text, IReadOnlyList<string> Words, double Weight)
{
    /// <summary>The rule's id: <c>{type}:{words-joined-by-hyphens}</c>, in ASCII (accents dropped, <c>*</c> as <c>any</c>).</summary>
    public string Id { get; } = $"{Type}:{string.Join('-', Words.Select(Ascii))}";

    /// <summary>The rule ids among <paramref name="ids"/> that are of <paramref name="type"/> (their id starts with it).</summary>
    public static IReadOnlyList<string> IdsOf(IEnumerable<string>? ids, string type) =>
        [.. (ids ?? []).Where(id => id.StartsWith(type + ":", StringComparison.Ordinal))];

    private static string Ascii(string word)
    {
        if (word == "*")
        {
            return "any";
        }

        var plain = new string([.. word.Normalize(System.Text.NormalizationForm.FormD).Where(char.IsAsciiLetterOrDigit)]);
        return plain.Length > 0 ? plain : "x";
    }
}

/// <summary>
/// Questions as evidence: a message that asks nothing else but asks questions that seek information ("When will the report
/// be published?") is a <see cref="Type"/>, each question adding <see cref="Weight"/>. Requests phrased as questions ("Could
/// you send me…?") start with words not in <see cref="StartWords"/>.
/// </summary>
public sealed record QuestionRule(string Type, double Weight, IReadOnlySet<string> StartWords, IReadOnlyList<IReadOnlyList<string>> RequestForms)
{
    /// <summary>The rule's id in audit entries and tasks.</summary>
    public string Id => $"{Type}:question-sentences";

    /// <summary>
    /// Whether a question's words (<see cref="PhraseText.Words"/>) ask to be told rather than for something to be done: its
    /// first word, after any "and", "also" or "so", is one of <see cref="StartWords"/>, and it is none of <see cref="RequestForms"/>.
    /// </summary>
    public bool SeeksInformation(IReadOnlyList<string> question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var words = question.SkipWhile(w => w is "and" or "also" or "so" or "but" or "then" or "secondly" or "firstly" or "finally" or PhraseText.Break).ToList();
        return words.Count > 0 && StartWords.Contains(words[0])
            && !RequestForms.Any(form => words.Count >= form.Count && form.Select((w, i) => words[i] == w).All(same => same));
    }
}

/// <summary>
/// The classifier's rules, from <c>data/intake-classification.yaml</c> (embedded in this assembly) or a copy of it: phrases
/// with weights per request type, the thresholds, negators and filler words. Checked when read: a wrong file is refused
/// with what is wrong.
/// </summary>
public sealed class ClassificationRules
{
    public const string FileName = "intake-classification.yaml";

    /// <summary>The pseudo-type of phrases that mean no request (thanks for a summary, a question about the report).</summary>
    public const string NoRequest = "none";

    /// <summary>The prefix of the pseudo-types whose phrases rule a type out (<c>unless:withdraw</c>).</summary>
    public const string UnlessPrefix = "unless:";
    public const string ResourceName = "Compliance.Intake." + FileName;

    private static readonly Lazy<ClassificationRules> Embedded = new(() =>
    {
        using var stream = typeof(ClassificationRules).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded " + FileName);
    });

    private ClassificationRules(double fullConfidenceAt, double intentFloor, double triageBelow, IReadOnlySet<string> negators, IReadOnlySet<string> fillers, IReadOnlyList<ClassificationPhrase> phrases, QuestionRule questions, IReadOnlyList<ClassificationFrame> frames)
    {
        Frames = frames;
        Questions = questions;
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

    /// <summary>The confidence an intent besides the most confident one needs for the message to be acted on without staff.</summary>
    public double AlsoFrom { get; private init; }

    public IReadOnlySet<string> Negators { get; }

    public IReadOnlySet<string> Fillers { get; }

    public IReadOnlyList<ClassificationPhrase> Phrases { get; }

    /// <summary>Wishes whose words stand apart in a sentence.</summary>
    public IReadOnlyList<ClassificationFrame> Frames { get; }

    /// <summary>Questions as evidence of a query.</summary>
    public QuestionRule Questions { get; }

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
                phrases.Add(PhraseOf(type, text, weight, source));
            }
        }

        foreach (var (text, weight) in file.None ?? [])
        {
            phrases.Add(PhraseOf(NoRequest, text, weight, source));
        }

        foreach (var (type, entries) in file.Unless ?? [])
        {
            if (!RequestType.IsValid(type))
            {
                throw new InvalidDataException($"{source}: unless: '{type}' is not a request type");
            }

            foreach (var text in entries ?? [])
            {
                phrases.Add(PhraseOf(UnlessPrefix + type, text, 1, source));
            }
        }

        var frames = FramesOf(file.Frames, source);
        var duplicated = phrases.GroupBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicated is not null)
        {
            throw new InvalidDataException($"{source}: the phrase '{duplicated.First().Text}' is listed twice under {duplicated.First().Type}");
        }

        var clash = frames.FirstOrDefault(f => phrases.Any(p => p.Id == f.Id));
        if (clash is not null)
        {
            throw new InvalidDataException($"{source}: frames: {clash.Type}: '{clash.Name}' has the id of a phrase");
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
            phrases,
            QuestionsOf(file.Questions, source),
            frames)
        {
            AlsoFrom = file.AlsoFrom is > 0 and <= 1 ? file.AlsoFrom.Value : file.TriageBelow,
        };
    }

    private static List<ClassificationFrame> FramesOf(Dictionary<string, Dictionary<string, FrameSection>?>? section, string source)
    {
        var frames = new List<ClassificationFrame>();
        foreach (var (type, entries) in section ?? [])
        {
            if (!RequestType.IsValid(type))
            {
                throw new InvalidDataException($"{source}: frames: '{type}' is not a request type");
            }

            foreach (var (name, frame) in entries ?? [])
            {
                var where = $"{source}: frames: {type}: {name}";
                if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]+(-[a-z0-9]+)*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
                {
                    throw new InvalidDataException($"{where}: a frame's name is lower-case letters, digits and hyphens");
                }

                if (frame is null || frame.Weight <= 0 || frame.All is not { Count: > 0 } || frame.All.Any(list => list is not { Count: > 0 }))
                {
                    throw new InvalidDataException($"{where}: needs a positive weight and 'all': lists of words, none empty");
                }

                frames.Add(new ClassificationFrame(
                    type,
                    name,
                    frame.Weight,
                    [.. frame.All.Select(list => (IReadOnlyList<IReadOnlyList<string>>)[.. list.Select(member => WordsOf(member, where))])],
                    [.. (frame.Unless ?? []).Select(member => WordsOf(member, where))])
                {
                    InQuestions = frame.Questions,
                });
            }
        }

        return frames;
    }

    private static QuestionRule QuestionsOf(QuestionsSection? section, string source)
    {
        if (section is null)
        {
            return new QuestionRule(RequestType.Query, 0, new HashSet<string>(StringComparer.Ordinal), []);
        }

        if (!RequestType.IsValid(section.Type) || section.Weight < 0)
        {
            throw new InvalidDataException($"{source}: questions: the type must be a request type and the weight not negative");
        }

        return new QuestionRule(
            section.Type,
            section.Weight,
            new HashSet<string>(section.StartWords ?? [], StringComparer.Ordinal),
            [.. (section.RequestForms ?? []).Select(f => (IReadOnlyList<string>)[.. PhraseText.Words(f).Where(w => w != PhraseText.Break)])]);
    }

    private static ClassificationPhrase PhraseOf(string type, string text, double weight, string source)
    {
        var words = WordsOf(text, $"{source}: {type}");
        if (weight <= 0)
        {
            throw new InvalidDataException($"{source}: {type}: the phrase '{text}' must have a positive weight");
        }

        return new ClassificationPhrase(type, text, words, weight);
    }

    // "*" stands for any one word; the rest are words as the text is read.
    private static List<string> WordsOf(string text, string where)
    {
        var words = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(part => part == "*" ? ["*"] : PhraseText.Words(part).Where(w => w != PhraseText.Break))
            .ToList();
        if (words.Count == 0 || words.All(w => w == "*"))
        {
            throw new InvalidDataException($"{where}: the phrase '{text}' must have words");
        }

        return words;
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

        public double? AlsoFrom { get; set; }

        public List<string>? Negators { get; set; }

        public List<string>? Fillers { get; set; }

        public Dictionary<string, Dictionary<string, double>?>? Types { get; set; }

        public Dictionary<string, double>? None { get; set; }

        public Dictionary<string, List<string>?>? Unless { get; set; }

        public QuestionsSection? Questions { get; set; }

        public Dictionary<string, Dictionary<string, FrameSection>?>? Frames { get; set; }
    }

    private sealed class FrameSection
    {
        public double Weight { get; set; }

        public List<List<string>>? All { get; set; }

        public List<string>? Unless { get; set; }

        public bool Questions { get; set; }
    }

    private sealed class QuestionsSection
    {
        public string Type { get; set; } = RequestType.Query;

        public double Weight { get; set; }

        public List<string>? StartWords { get; set; }

        public List<string>? RequestForms { get; set; }
    }
}
