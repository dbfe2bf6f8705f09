using System.Diagnostics;
using System.Globalization;
using Compliance.Mail.Intake;

namespace Compliance.Benchmarks;

/// <summary>
/// What one inbound message costs to classify, by the size of its text: the quoted-thread stripping and the phrase rules, as
/// the intake runs them (<see cref="RequestClassifier.Classify(InboundMessage)"/>'s path), for 1 KB to 1 MB of realistic
/// text with a request at its start. The cap (<see cref="RequestClassifier.MaxTextChars"/>) makes the cost flat past it.
/// </summary>
public static class ClassifyBenchmark
{
    private const string Sentences =
        "Dear research team, I took part in the interview last summer about how performance is managed at work. " +
        "Since then my circumstances have changed and I have been thinking about the project. " +
        "My manager moved to another office and the team was reorganised twice. " +
        "I am not sure whether this matters for your report, but I wanted you to know. ";

    public static Task<int> RunFromArgsAsync(string[] args)
    {
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(25);
        var classifier = RequestClassifier.Default;
        Console.WriteLine($"classification cost by text size, median of {runs} runs (cap {RequestClassifier.MaxTextChars:N0} characters)");
        Console.WriteLine("| text | characters | median ms | ms per 100 KB | truncated |");
        Console.WriteLine("|---|---|---|---|---|");
        var failed = false;
        foreach (var kilobytes in new[] { 1, 10, 20, 100, 1024 })
        {
            var text = "Please withdraw me from the study and delete my recordings. " + Repeat(kilobytes * 1024);
            var message = new InboundMessage(
                "<bench@example.org>", true, "MAIL-BENCH", "someone@example.org", null, "Withdrawal", null, null, [], text, BodySource.Plain, [],
                new Dictionary<string, string>(), ["text/plain"]);
            classifier.Classify(message); // warm-up
            var times = new List<double>();
            Classification? last = null;
            for (var i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                last = classifier.Classify(message);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            var median = times[times.Count / 2];
            var per100 = median / (text.Length / 102_400.0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kilobytes} KB | {text.Length:N0} | {median:0.00} | {per100:0.00} | {(last!.Truncated ? "yes" : "no")} |"));
            failed |= kilobytes >= 100 && per100 > 10;
        }

        Console.WriteLine(failed ? "FAIL: over 10 ms per 100 KB" : "ok: at most 10 ms per 100 KB from 100 KB up");
        return Task.FromResult(failed ? 1 : 0);
    }

    private static string Repeat(int length)
    {
        var text = new System.Text.StringBuilder(length + Sentences.Length);
        while (text.Length < length)
        {
            text.Append(Sentences);
        }

        return text.ToString(0, length);
    }
}
