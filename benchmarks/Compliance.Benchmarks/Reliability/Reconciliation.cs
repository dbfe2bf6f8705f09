using System.Globalization;
using Azure.Storage.Blobs;
using Compliance.Mail;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using MimeKit;

namespace Compliance.Benchmarks.Reliability;

/// <summary>
/// What the soak's end state shows, in three counts that must all be 0: work lost (a request not completed, a step or an
/// email missing, a message received but not audited, a due blob not deleted or not certified), work duplicated (a
/// workflow or request twice, a step audited twice, an email sent twice, an item certified twice), and blobs wrongly
/// deleted (material that no rule or request made due).
/// </summary>
internal sealed class Reconciliation
{
    private readonly List<string> lost = [];
    private readonly List<string> duplicated = [];
    private readonly List<string> wronglyDeleted = [];
    private int emails;
    private int sent;

    public bool Clean => lost.Count == 0 && duplicated.Count == 0 && wronglyDeleted.Count == 0;

    public void Lost(string what) => lost.Add(what);

    public void Duplicated(string what) => duplicated.Add(what);

    public void WronglyDeleted(string what) => wronglyDeleted.Add(what);

    /// <summary>Counts <paramref name="actual"/> against <paramref name="expected"/>: fewer is lost work, more is duplicated.</summary>
    public void Expect(int actual, int expected, string what)
    {
        if (actual < expected)
        {
            Lost($"{what}: {actual}, not {expected}");
        }
        else if (actual > expected)
        {
            Duplicated($"{what}: {actual}, not {expected}");
        }
    }

    /// <summary>Every email in the outbox sent and audited, and received by the SMTP server exactly once (by its Message-ID).</summary>
    public async Task CountMailAsync(BlobServiceClient blobs, LoopbackSmtpServer smtp)
    {
        var received = smtp.Received
            .Select(m => MimeMessage.Load(new MemoryStream(m.Data)).MessageId ?? string.Empty)
            .GroupBy(id => id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var outbox = new Outbox(blobs);
        foreach (var (name, state, audited) in await SoakBenchmark.OutboxStatesAsync(blobs))
        {
            emails++;
            if (state != OutboxMetadata.Sent || !audited)
            {
                Lost($"email {name}: {state ?? "pending"}{(audited ? string.Empty : ", not audited")}");
                continue;
            }

            sent++;
            Expect(received.GetValueOrDefault((await outbox.ReadAsync(name)).MessageId ?? string.Empty), 1, $"email {name}: times received by the SMTP server");
        }
    }

    public void Print(IReadOnlyCollection<Journey> journeys, TimeSpan loaded, StorageFaultProxy proxy)
    {
        Console.WriteLine();
        Console.WriteLine("| journey | run | finished | median s | p95 s |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var kind in journeys.GroupBy(j => j.Kind).OrderBy(g => g.Min(j => j.Index)))
        {
            var took = kind.Select(j => j.Took.TotalSeconds).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind.Key} | {kind.Count()} | {kind.Count(j => j.Error is null)} | {took[took.Count / 2]:0.0} | {took[(int)Math.Min(took.Count - 1, Math.Ceiling(took.Count * 0.95) - 1)]:0.0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{journeys.Count} journeys in {loaded.TotalMinutes:0.0} minutes; {journeys.Sum(j => j.Mail.Sum(m => m.Deliveries))} relay deliveries of {journeys.Sum(j => j.Mail.Count)} messages; {emails} emails in the outbox, {sent} sent"));
        Console.WriteLine($"storage calls and faults: {proxy.Describe()}");
        Print("lost", lost);
        Print("duplicated", duplicated);
        Print("wrongly deleted", wronglyDeleted);
    }

    private static void Print(string what, List<string> items)
    {
        Console.WriteLine($"{what}: {items.Count}");
        foreach (var item in items.Take(20))
        {
            Console.WriteLine("  " + item);
        }
    }
}
