using Compliance.Mail.Intake;

namespace Compliance.Tests.Mail.Intake;

/// <summary>
/// The classifier on the labelled sets written for it by people who had not seen its rules (docs/mailbox.md): the development
/// set, which the rules are tuned on, and the held-out set, which they are not. The floors are the figures docs/mailbox.md
/// reports; a change to the rules that makes either worse fails here.
/// </summary>
public sealed class CorpusSetTests(ITestOutputHelper output)
{
    private static string Set(string name) => Path.Combine(IntakeCorpus.Folder, name);

    [Fact]
    public void The_corpus_has_at_least_150_messages_a_third_of_them_fresh_in_sets_of_their_own()
    {
        var top = Directory.GetFiles(IntakeCorpus.Folder, "*.eml").Length;
        var dev = Directory.GetFiles(Set("dev"), "*.eml").Length;
        var heldOut = Directory.GetFiles(Set("heldout"), "*.eml").Length;

        (top + dev + heldOut).ShouldBeGreaterThanOrEqualTo(150);
        (dev + heldOut).ShouldBeGreaterThanOrEqualTo((top + dev + heldOut) / 3);
        heldOut.ShouldBeGreaterThanOrEqualTo(40);
    }

    [Fact]
    public void On_the_development_set_no_intent_is_dropped_no_type_is_wrong_and_most_are_automated()
    {
        var score = Score("dev");

        score.Dropped.ShouldBe(0, string.Join("\n", score.Mistakes));
        score.Wrong.ShouldBe(0, string.Join("\n", score.Mistakes));
        score.ScreenedWrongly.ShouldBe(0, string.Join("\n", score.Mistakes));
        score.AutomatedShare.ShouldBeGreaterThanOrEqualTo(DevAutomatedFloor, string.Join("\n", score.Mistakes));
    }

    [Fact]
    public void On_the_held_out_set_a_wrong_type_is_rarer_than_a_triage_and_the_figures_hold()
    {
        var score = Score("heldout");

        score.Wrong.ShouldBeLessThanOrEqualTo(HeldOutWrongCeiling, string.Join("\n", score.Mistakes));
        score.Dropped.ShouldBeLessThanOrEqualTo(HeldOutDroppedCeiling, string.Join("\n", score.Mistakes));
        score.Wrong.ShouldBeLessThan(Math.Max(1, score.Requests - score.Automated), "a wrong type must be rarer than a triage");
        score.AutomatedShare.ShouldBeGreaterThanOrEqualTo(HeldOutAutomatedFloor, string.Join("\n", score.Mistakes));
    }

    // The figures of docs/mailbox.md ("Accuracy"), measured by `benchmarks -- corpus`. The held-out ones are where the rules
    // stand, short of issue 15's aim (no intent dropped, no wrong type, 90% automated): a change may better them, never worsen.
    private const double DevAutomatedFloor = 0.93;
    private const int HeldOutWrongCeiling = 6;
    private const int HeldOutDroppedCeiling = 12;
    private const double HeldOutAutomatedFloor = 0.64;

    private ClassifierScore Score(string set)
    {
        var score = ClassifierScore.OfFolder(Set(set), IntakeCorpus.OwnAddress, IntakeCorpus.MessageIdDomain, RequestClassifier.Default);
        output.WriteLine(score.ToMarkdown());
        foreach (var mistake in score.Mistakes)
        {
            output.WriteLine(mistake);
        }

        return score;
    }
}
