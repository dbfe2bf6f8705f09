using System.Diagnostics;
using System.Text.RegularExpressions;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;

namespace Compliance.Benchmarks.Calls;

/// <summary>A point in the run: how many calls each side had recorded by then, and when.</summary>
internal readonly record struct Mark(int Proxied, int Product, long Timestamp);

/// <summary>
/// Every storage call of a run in arrival order: all of them as the proxy saw them (the engine's, the product's and the
/// timers'), and the product's again as its clients' policy saw them. A window between two marks is a request's or a sweep's.
/// </summary>
internal sealed class CallLedger(string taskHub)
{
    private readonly Lock gate = new();
    private readonly List<StorageCall> proxied = [];
    private readonly List<ProductCall> product = [];

    public void Proxied(StorageCall call)
    {
        lock (gate)
        {
            proxied.Add(call);
        }
    }

    public void Product(ProductCall call)
    {
        lock (gate)
        {
            product.Add(call);
        }
    }

    public Mark Now()
    {
        lock (gate)
        {
            return new Mark(proxied.Count, product.Count, Stopwatch.GetTimestamp());
        }
    }

    public Window Between(Mark from, Mark to)
    {
        lock (gate)
        {
            return new Window(taskHub, proxied[from.Proxied..to.Proxied], product[from.Product..to.Product], Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds);
        }
    }
}

/// <summary>
/// The calls between two marks, split exactly: the product's are those its clients' policy saw (less the timers' lock and
/// status blobs in <c>azure-webjobs-hosts</c>, which go through the same blob client and are the host's), and the engine's
/// are the rest of what the proxy saw. Polls (a dequeue on a control or work-item queue) and partition-lease calls are
/// the engine's time-driven calls: they happen whether there is work or not.
/// </summary>
internal sealed partial class Window(string taskHub, List<StorageCall> proxied, List<ProductCall> product, double seconds)
{
    public IReadOnlyList<StorageCall> ProxiedCalls => proxied;

    public IReadOnlyList<ProductCall> ProductCalls => product;

    public double Seconds => seconds;

    public int Total => proxied.Count;

    public int All(StorageService service) => proxied.Count(c => c.Service == service);

    public int Product(StorageService service) => product.Count(c => c.Service == service && !IsHost(c));

    public int Host(StorageService service) => product.Count(c => c.Service == service && IsHost(c));

    public int Engine(StorageService service) => All(service) - Product(service) - Host(service);

    /// <summary>The engine's dequeues: each control queue and the work-item queue are polled, with a back-off up to the engine's maximum interval.</summary>
    public int Polls => proxied.Count(c => c.Service == StorageService.Queue && c.Method == "GET" && c.Path.EndsWith("/messages", StringComparison.Ordinal) && !c.Query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The engine's leases, acquired, renewed and checked on a timer: the partitions' (rows of its Partitions table, the
    /// backend's table partition manager, or blobs in <c>-leases</c> with the older one) and the app lease's blob.
    /// </summary>
    public int Leases => proxied.Count(c => Resource(c.Path) is { } resource && c.Service switch
    {
        StorageService.Table => resource.StartsWith($"{taskHub}Partitions", StringComparison.OrdinalIgnoreCase),
        StorageService.Blob => resource.Equals($"{taskHub}-leases", StringComparison.OrdinalIgnoreCase) || resource.Equals($"{taskHub}-applease", StringComparison.OrdinalIgnoreCase),
        _ => false,
    });

    /// <summary>The calls made on a timer whatever the work: polls and leases.</summary>
    public int TimeDriven => Polls + Leases;

    /// <summary>The product's calls by the function they were made within.</summary>
    public Dictionary<string, int> ProductBySteps() =>
        product.Where(c => !IsHost(c)).GroupBy(c => c.Step, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The product's calls by what they touched and how: <c>table AuditLog(head) get</c>, <c>blob mail-outbox list</c>, a batch's operations.</summary>
    public Dictionary<string, int> ProductByResource() =>
        product.Where(c => !IsHost(c)).GroupBy(Describe, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The product's calls by function and what they touched, for one step's detail.</summary>
    public Dictionary<string, int> ProductByStepAndResource() =>
        product.Where(c => !IsHost(c)).GroupBy(c => $"{c.Step}: {Describe(c)}", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>
    /// The engine's calls by what they touched: its tables, queues and containers are named after the task hub, so each
    /// call but a table batch (whose table is in its body) is told by its path; the engine's batches are all batches less
    /// the product's, and likewise for account-level calls (<c>/Tables</c>, listings).
    /// </summary>
    public Dictionary<string, int> EngineByKind()
    {
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var call in proxied)
        {
            if (EngineKind(call) is { } kind)
            {
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }

        Add(kinds, "table: History batch (the backend batches only History rows)", proxied.Count(IsBatch) - product.Count(c => c.Batch.Count > 0));
        var accountLevel = proxied.Count(c => IsAccountLevel(c.Path)) - product.Count(c => IsAccountLevel(c.Path));
        Add(kinds, "account level (tables, containers, queues listed or created)", accountLevel);
        return kinds;

        static void Add(Dictionary<string, int> kinds, string kind, int count)
        {
            if (count != 0)
            {
                kinds[kind] = count;
            }
        }
    }

    /// <summary>
    /// The product's calls told by path from the proxy's side (all but batches and account-level calls, which a path does
    /// not place) against the same calls as its clients' policy saw them: equal when the policy sees every product call.
    /// </summary>
    public (int ByPath, int ByPolicy) ProductCrossCheck() =>
        (proxied.Count(c => c.Service != StorageService.Queue && !IsBatch(c) && !IsAccountLevel(c.Path) && EngineKind(c) is null && !IsHostPath(c.Path)),
         product.Count(c => c.Batch.Count == 0 && !IsAccountLevel(c.Path) && !IsHost(c)));

    public static string Describe(ProductCall call)
    {
        if (call.Service == StorageService.Blob)
        {
            return $"blob {Resource(call.Path)} {BlobOperation(call.Method, call.Query)}";
        }

        if (call.Batch.Count > 0)
        {
            return "table batch: " + string.Join(" + ", call.Batch.Select(op => op.Split(' ', 2) is [var method, var path] ? TableOperation(method, Resource(path) ?? path) : op));
        }

        return "table " + TableOperation(call.Method, Resource(call.Path) ?? string.Empty);
    }

    private static bool IsHost(ProductCall call) => IsHostPath(call.Path);

    private static bool IsHostPath(string path) => Resource(path) == TimerLocks.Container;

    private static bool IsBatch(StorageCall call) => call.Service == StorageService.Table && call.Path.EndsWith("/$batch", StringComparison.Ordinal);

    private static bool IsAccountLevel(string path) => Resource(path) is null or "Tables";

    /// <summary>The path's segment after the account (a table with its keys, a queue, a container), decoded; null for the account itself.</summary>
    private static string? Resource(string path)
    {
        var segments = path.Split('/', 3, StringSplitOptions.RemoveEmptyEntries);
        return segments.Length > 1 ? Uri.UnescapeDataString(segments[1].Split('/')[0]) : null;
    }

    private string? EngineKind(StorageCall call)
    {
        var resource = Resource(call.Path);
        if (resource is null || !resource.StartsWith(taskHub, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var own = resource[taskHub.Length..];
        switch (call.Service)
        {
            case StorageService.Queue:
                var queue = own.StartsWith("-control-", StringComparison.Ordinal) ? "control queues" : own == "-workitems" ? "work-item queue" : "queue " + resource;
                var messages = call.Path.Contains("/messages", StringComparison.Ordinal);
                var operation = (call.Method, messages, call.Path.EndsWith("/messages", StringComparison.Ordinal)) switch
                {
                    ("GET", true, true) when call.Query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) => "peek",
                    ("GET", true, true) => "get messages (poll)",
                    ("POST", true, true) => "put message",
                    ("DELETE", true, false) => "delete message",
                    ("PUT", true, false) => "update message",
                    _ => call.Method + " " + Comp(call.Query),
                };
                return $"queue: {queue} {operation}";
            case StorageService.Table:
                return "table: " + TableOperation(call.Method, own.TrimStart('-'));
            default:
                return $"blob: {own.TrimStart('-')} {BlobOperation(call.Method, call.Query)}";
        }
    }

    /// <summary><c>AuditLog(head) get</c>, <c>Requests() query</c>, <c>AuditLog insert</c>: the table, the kind of row key, the operation.</summary>
    private static string TableOperation(string method, string resource)
    {
        var point = PointRow().Match(resource);
        if (point.Success)
        {
            var op = method switch { "GET" => "get", "PUT" => "put", "MERGE" or "PATCH" => "merge", "DELETE" => "delete", _ => method };
            return $"{point.Groups["table"].Value}({KeyClass(point.Groups["rk"].Value)}) {op}";
        }

        if (resource.EndsWith("()", StringComparison.Ordinal))
        {
            return $"{resource} {(method == "GET" ? "query" : method)}";
        }

        return $"{resource} {(method == "POST" ? "insert" : method)}";
    }

    /// <summary>A row key's kind rather than its value: a word (<c>head</c>, <c>request</c>), a prefix (<c>history|…</c>), a number, or an id.</summary>
    private static string KeyClass(string rowKey)
    {
        var bar = rowKey.IndexOf('|', StringComparison.Ordinal);
        if (bar > 0)
        {
            return rowKey[..(bar + 1)] + "…";
        }

        if (rowKey.Length == 0)
        {
            return "''";
        }

        if (rowKey.All(char.IsAsciiDigit))
        {
            return "n";
        }

        // The product's fixed row keys are lower-case words; its ids are upper case with digits (P-…, DSR-…).
        return rowKey.All(c => char.IsAsciiLetterLower(c) || c == '-') ? rowKey : "id";
    }

    private static string BlobOperation(string method, string query)
    {
        var comp = Comp(query);
        return comp switch
        {
            "list" => "list",
            "" => method switch { "PUT" => "put", "GET" => "get", "HEAD" => "properties", "DELETE" => "delete", _ => method },
            _ => $"{method.ToLowerInvariant()} {comp}",
        };
    }

    private static string Comp(string query)
    {
        var match = CompParameter().Match(query);
        return match.Success ? match.Groups[1].Value : string.Empty;
    }

    [GeneratedRegex(@"^(?<table>[A-Za-z][A-Za-z0-9]*)\(PartitionKey='(?<pk>.*)',RowKey='(?<rk>.*)'\)$")]
    private static partial Regex PointRow();

    [GeneratedRegex(@"[?&]comp=([a-z]+)")]
    private static partial Regex CompParameter();
}
