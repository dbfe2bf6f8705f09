using System.Globalization;
using System.Text;
using Compliance.Requests;
using Microsoft.Extensions.Options;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Compliance.Mail.Intake;

/// <summary>
/// How the classifier did on a labelled set of messages (the corpus's dev and held-out sets, docs/mailbox.md): per type,
/// precision and recall of what it did by itself; and over the set, the share automated, intents dropped (a wanted type
/// missing from what it did by itself), wrong types (one it added that was not wanted), and triage where none was needed.
/// A message sent to triage is never wrong, only not automated: the rule is that a wrong type must be rarer than a triage.
/// </summary>
public sealed class ClassifierScore
{
    private readonly Dictionary<string, (int Right, int Added, int Missed)> byType = RequestType.All.ToDictionary(t => t, _ => (0, 0, 0), StringComparer.Ordinal);
    private readonly List<string> mistakes = [];

    /// <summary>Messages that asked for something (expected types).</summary>
    public int Requests { get; private set; }

    /// <summary>Of <see cref="Requests"/>, those the classifier acted on by itself.</summary>
    public int Automated { get; private set; }

    /// <summary>Of <see cref="Automated"/>, those exactly right.</summary>
    public int ExactlyRight { get; private set; }

    /// <summary>Wanted types missing from what the classifier did by itself.</summary>
    public int Dropped { get; private set; }

    /// <summary>Types the classifier acted on that were not wanted.</summary>
    public int Wrong { get; private set; }

    /// <summary>Messages that needed a person.</summary>
    public int ExpectedTriage { get; private set; }

    /// <summary>Of <see cref="ExpectedTriage"/>, those the classifier acted on anyway.</summary>
    public int MissedTriage { get; private set; }

    /// <summary>Each message that was not exactly right, in words (the file and what happened), for the test output.</summary>
    public IReadOnlyList<string> Mistakes => mistakes;

    /// <summary>The share of requests automated.</summary>
    public double AutomatedShare => Requests == 0 ? 1 : (double)Automated / Requests;

    /// <summary>Adds one message: its name, the types wanted (empty when a person must read it) and the classification.</summary>
    public void Add(string name, IReadOnlyCollection<string> expected, Classification classification)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(classification);
        var got = classification.NeedsTriage ? [] : classification.Intents.Select(i => i.Type).ToHashSet(StringComparer.Ordinal);
        var found = string.Join(", ", classification.Intents.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Type} {i.Confidence:0.00} [{string.Join("; ", i.Phrases)}]")));
        if (expected.Count == 0)
        {
            ExpectedTriage++;
            if (!classification.NeedsTriage)
            {
                MissedTriage++;
                Wrong += got.Count;
                mistakes.Add($"{name}: wanted triage, acted on {found}");
            }

            return;
        }

        Requests++;
        if (classification.NeedsTriage)
        {
            foreach (var type in expected)
            {
                byType[type] = byType[type] with { Missed = byType[type].Missed + 1 };
            }

            mistakes.Add($"{name}: wanted {string.Join(", ", expected)}, triage ({classification.TriageWhy}) {found}");
            return;
        }

        Automated++;
        var dropped = expected.Where(t => !got.Contains(t)).ToList();
        var wrong = got.Where(t => !expected.Contains(t)).ToList();
        foreach (var type in expected.Where(got.Contains))
        {
            byType[type] = byType[type] with { Right = byType[type].Right + 1 };
        }

        foreach (var type in dropped)
        {
            byType[type] = byType[type] with { Missed = byType[type].Missed + 1 };
        }

        foreach (var type in wrong)
        {
            byType[type] = byType[type] with { Added = byType[type].Added + 1 };
        }

        Dropped += dropped.Count;
        Wrong += wrong.Count;
        if (dropped.Count == 0 && wrong.Count == 0)
        {
            ExactlyRight++;
        }
        else
        {
            mistakes.Add($"{name}: wanted {string.Join(", ", expected)}, got {found}");
        }
    }

    /// <summary>Messages expected to be ignored as automatic mail that were not, or people's messages that were.</summary>
    public int ScreenedWrongly { get; private set; }

    /// <summary>
    /// Scores the labelled messages of <paramref name="folder"/>: every <c>*.eml</c> named in its <c>expected.yaml</c>
    /// (<c>file: { outcome: new, types: [...] }</c>, <c>{ outcome: triage }</c> or <c>{ outcome: ignore }</c>; other outcomes,
    /// such as replies to our own mail, are not the classifier's and are left out), read, screened,
    /// matched and classified as intake does (<see cref="IntakeDecisions.Decide"/>) for a mailbox of <paramref name="ownAddress"/>.
    /// </summary>
    public static ClassifierScore OfFolder(string folder, string ownAddress, string messageIdDomain, RequestClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var expected = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
            .Deserialize<Dictionary<string, Label>>(File.ReadAllText(Path.Combine(folder, "expected.yaml")));
        var reader = new InboundMessageReader(Options.Create(new IntakeOptions()));
        var score = new ClassifierScore();
        foreach (var (file, label) in expected.Where(e => e.Value.Outcome is "new" or "triage" or "ignore").OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var decision = IntakeDecisions.Decide(reader.Read(File.ReadAllBytes(Path.Combine(folder, file))), [ownAddress], messageIdDomain, classifier);
            var wanted = label.Outcome == "new" ? (IReadOnlyCollection<string>)(label.Types ?? []) : [];
            if (label.Outcome == "ignore" || decision.Action is IntakeAction.Ignore or IntakeAction.Quarantine)
            {
                if ((label.Outcome == "ignore") != (decision.Action == IntakeAction.Ignore))
                {
                    score.ScreenedWrongly++;
                    score.mistakes.Add($"{file}: wanted {label.Outcome}, intake did {decision.Action} ({decision.Reason})");
                }

                if (label.Outcome != "ignore")
                {
                    // A person's message dropped as automatic: every intent in it is lost.
                    score.Add(file, wanted, new Classification([], NeedsTriage: false, []));
                }

                continue;
            }

            score.Add(file, wanted, decision.Classification ?? classifier.Classify(decision.Read.Message!));
        }

        return score;
    }

    /// <summary>Precision (of what it did by itself) and recall (of what was wanted, triage counting as missed) of a type.</summary>
    public (double Precision, double Recall, int Wanted) Of(string type)
    {
        var (right, added, missed) = byType[type];
        return (right + added == 0 ? 1 : (double)right / (right + added), right + missed == 0 ? 1 : (double)right / (right + missed), right + missed);
    }

    /// <summary>The figures as a Markdown table and a summary line, for docs/mailbox.md.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| type | wanted | precision | recall |");
        text.AppendLine("|---|---|---|---|");
        foreach (var type in RequestType.All)
        {
            var (precision, recall, wanted) = Of(type);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {type} | {wanted} | {precision:P0} | {recall:P0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Requests} requests: {Automated} automated ({AutomatedShare:P0}), {ExactlyRight} of them exactly right; {Dropped} intents dropped, {Wrong} wrong types; {ExpectedTriage} needing a person, {MissedTriage} of them acted on; {ScreenedWrongly} screened wrongly.");
        return text.ToString();
    }

    /// <summary>An entry of a corpus's <c>expected.yaml</c>.</summary>
    private sealed class Label
    {
        public string Outcome { get; set; } = string.Empty;

        public List<string>? Types { get; set; }
    }
}
