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
}
