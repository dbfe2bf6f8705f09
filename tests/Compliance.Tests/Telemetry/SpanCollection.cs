using System.Collections;
using System.Diagnostics;

namespace Compliance.Tests.Telemetry;

/// <summary>
/// The spans an in-memory exporter hands over, kept under a lock: the exporter adds from the threads that end spans while
/// the test reads a copy (<see cref="Snapshot"/>).
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> spans = [];

    public int Count
    {
        get
        {
            lock (spans)
            {
                return spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    public void Add(Activity item)
    {
        lock (spans)
        {
            spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (spans)
        {
            spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (spans)
        {
            return spans.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (spans)
        {
            spans.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (spans)
        {
            return spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Finds any of a set of values (names, addresses, phones, words) anywhere a span can carry text.</summary>
public sealed class SpanScanner(IEnumerable<string> secrets)
{
    private readonly IReadOnlyList<string> secrets = secrets.Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Each place in <paramref name="span"/> where one of the values occurs, as "where: value".</summary>
    public IEnumerable<string> Find(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        var texts = new List<(string Where, string? Text)>
        {
            ("name", span.DisplayName),
            ("operation", span.OperationName),
            ("status", span.StatusDescription),
            ("trace state", span.TraceStateString),
        };
        texts.AddRange(span.TagObjects.Select(t => ($"tag {t.Key}", (string?)$"{t.Key}={t.Value}")));
        texts.AddRange(span.Baggage.Select(b => ($"baggage {b.Key}", (string?)$"{b.Key}={b.Value}")));
        foreach (var e in span.Events)
        {
            texts.Add(($"event {e.Name}", (string?)e.Name));
            texts.AddRange(e.Tags.Select(t => ($"event {e.Name} {t.Key}", (string?)$"{t.Key}={t.Value}")));
        }

        foreach (var link in span.Links)
        {
            texts.AddRange((link.Tags ?? []).Select(t => ($"link {t.Key}", (string?)$"{t.Key}={t.Value}")));
        }

        return texts
            .SelectMany(t => secrets.Where(s => t.Text?.Contains(s, StringComparison.OrdinalIgnoreCase) == true).Select(s => $"{span.Source.Name} '{span.DisplayName}' {t.Where}: {s}"));
    }
}
