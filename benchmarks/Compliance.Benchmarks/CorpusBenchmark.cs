using Compliance.Mail.Intake;
using Compliance.SelfHost.Storage;

namespace Compliance.Benchmarks;

/// <summary>
/// The classifier against the labelled email corpus (tests/Compliance.Tests/Mail/Intake/Corpus): the developers' messages,
/// the development set tuned on, and the held-out set never tuned on, each scored by <see cref="ClassifierScore"/> as intake
/// decides (screen, reply match, classification). Prints the tables docs/mailbox.md shows, and each message that was not
/// exactly right with the phrases found.
/// </summary>
public static class CorpusBenchmark
{
    public static Task<int> RunFromArgsAsync(string[] args)
    {
        var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run from the repository.");
        var corpus = Path.Combine(root, "tests", "Compliance.Tests", "Mail", "Intake", "Corpus");
        var quiet = args.Contains("--quiet");
        var explain = BenchmarkArgs.Option(args, "--explain");
        if (explain is not null)
        {
            return Task.FromResult(Explain(corpus, explain));
        }

        foreach (var (name, folder) in new[] { ("developers' corpus", corpus), ("development set", Path.Combine(corpus, "dev")), ("held-out set", Path.Combine(corpus, "heldout")) })
        {
            if (!File.Exists(Path.Combine(folder, "expected.yaml")))
            {
                continue;
            }

            var score = ClassifierScore.OfFolder(folder, "mpati@research.example.org", "research.example.org", RequestClassifier.Default);
            Console.WriteLine($"## {name} ({Path.GetRelativePath(root, folder)})");
            Console.WriteLine();
            Console.WriteLine(score.ToMarkdown());
            if (!quiet)
            {
                foreach (var mistake in score.Mistakes)
                {
                    Console.WriteLine($"- {mistake}");
                }

                Console.WriteLine();
            }
        }

        return Task.FromResult(0);
    }

    /// <summary>
    /// One message of the corpus as the classifier reads it, for whoever tunes the rules: its new text's sentences (marked
    /// <c>?</c> where they only ask to be told), the frames each holds, and the classification.
    /// </summary>
    private static int Explain(string corpus, string name)
    {
        var path = Directory.GetFiles(corpus, name, SearchOption.AllDirectories).FirstOrDefault();
        if (path is null)
        {
            Console.Error.WriteLine($"No message {name} under {corpus}.");
            return 1;
        }

        var message = new InboundMessageReader(Microsoft.Extensions.Options.Options.Create(new IntakeOptions())).Read(File.ReadAllBytes(path)).Message!;
        var classifier = RequestClassifier.Default;
        var text = SignOff.Strip(ReplyText.NewText(message.Text, message.Subject));
        foreach (var sentence in FrameReader.Sentences(text, classifier.Rules.Questions))
        {
            Console.WriteLine($"{(sentence.IsInformationQuestion ? "?" : " ")} {string.Join(' ', sentence.Words)}");
            foreach (var frame in classifier.Rules.Frames)
            {
                var found = FrameReader.Match(frame, sentence, classifier.Rules.Negators, (_, _) => false);
                if (found is not null)
                {
                    Console.WriteLine($"    {frame.Id}: {string.Join(" + ", found)} (before negation)");
                }
            }
        }

        var classification = classifier.Classify(message);
        Console.WriteLine($"triage: {classification.TriageWhy ?? "no"}");
        foreach (var intent in classification.Intents)
        {
            Console.WriteLine($"{intent.Type} {intent.Confidence:0.00}: {string.Join("; ", intent.Phrases)}");
        }

        return 0;
    }
}
