using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Compliance.Tests.Infrastructure;

/// <summary>An Azure Storage service, as the proxy tells them apart (one listening port each).</summary>
public enum StorageService
{
    Blob,
    Queue,
    Table,
}

/// <summary>What a fault rule does to a call it takes.</summary>
public enum FaultAction
{
    /// <summary>Answers <c>503</c> with the storage error code <c>ServerBusy</c>.</summary>
    ServerBusy,

    /// <summary>Answers <c>500</c> with the storage error code <c>InternalError</c>.</summary>
    InternalError,

    /// <summary>Waits <see cref="FaultRule.Delay"/>, then answers as storage did (a slow call, not a failed one).</summary>
    Delay,

    /// <summary>Aborts the connection without an answer.</summary>
    Reset,

    /// <summary>Holds the call without answering until the client gives up (its network timeout) or the proxy stops.</summary>
    Timeout,
}

/// <summary>One call through the proxy, as a rule's <see cref="FaultRule.Match"/> sees it.</summary>
/// <param name="Service">The service the call was made to.</param>
/// <param name="Method">The HTTP method (<c>PUT</c>, <c>GET</c>, …).</param>
/// <param name="Path">The path, account included (<c>/devstoreaccount1/mail-outbox/requests/…</c>).</param>
/// <param name="Query">The query string with its <c>?</c>, or empty.</param>
public sealed record StorageCall(StorageService Service, string Method, string Path, string Query);

/// <summary>
/// A fault the proxy injects into the calls it matches: of one service, optionally only those <see cref="Match"/> accepts,
/// a <see cref="Fraction"/> of them (drawn from the proxy's seeded random), optionally only for a <see cref="Window"/> after it
/// is switched on. With <see cref="AfterForward"/> the call reaches storage and takes effect first, and only then does the
/// client see the fault: the case that shows whether a retried step is idempotent.
/// </summary>
public sealed class FaultRule
{
    private int fired;

    public required StorageService Service { get; init; }

    public required FaultAction Action { get; init; }

    /// <summary>How long <see cref="FaultAction.Delay"/> waits.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Forward the call to storage first, then fault the answer (the effect happened; the client cannot know).</summary>
    public bool AfterForward { get; init; }

    /// <summary>The share of matching calls faulted, 0 to 1.</summary>
    public double Fraction { get; init; } = 1.0;

    /// <summary>Which calls of <see cref="Service"/> the rule applies to; all when null.</summary>
    public Func<StorageCall, bool>? Match { get; init; }

    /// <summary>The most calls the rule faults (then it stays on but faults nothing); no limit when null.</summary>
    public int? Times { get; init; }

    /// <summary>How long the rule stays on once added; until it is disposed when null.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>How many calls this rule has faulted.</summary>
    public int Fired => Volatile.Read(ref fired);

    /// <summary>
    /// The first <paramref name="times"/> calls of <paramref name="service"/> that <paramref name="match"/> take effect in
    /// storage and then lose their answer (a <c>500</c>): the SDK retries, and the retry meets the call's own effect.
    /// </summary>
    public static FaultRule LostAnswer(StorageService service, Func<StorageCall, bool> match, int times = 1) =>
        new() { Service = service, Action = FaultAction.InternalError, AfterForward = true, Times = times, Match = match };

    internal DateTime? Until { get; set; }

    internal bool Applies(StorageCall call, DateTime now) =>
        call.Service == Service && (Until is null || now < Until) && (Times is null || Fired < Times) && (Match is null || Match(call));

    internal void CountFired() => Interlocked.Increment(ref fired);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Service} {Action}{(Action == FaultAction.Delay ? $" {Delay.TotalMilliseconds:0} ms" : string.Empty)}{(AfterForward ? " after forward" : string.Empty)} x{Fraction:0.###}{(Match is null ? string.Empty : " (matched)")}{(Times is null ? string.Empty : $" at most {Times}")}: fired {Fired}");
}

/// <summary>
/// A fault-injecting reverse proxy for tests, between a host (the app and the Durable engine) and Azurite: HTTP/1.1 on
/// loopback, one port per storage service, each forwarding every call unchanged (method, path, query, headers, streamed body)
/// to that service of Azurite. Shared Key signatures do not cover the port, so a client given <see cref="ConnectionString"/>
/// signs as it would for Azurite. Faults are <see cref="FaultRule"/>s switched on and off while a test runs; the proxy counts
/// calls and faults per service so a test can show that its faults fired, and passes each call to its observers (a benchmark
/// counts every storage call this way). The random that picks faulted calls is seeded, and the seed printed (set
/// <c>FAULT_SEED</c> to repeat it). One per test or fixture; dispose it when done.
/// </summary>
public sealed class StorageFaultProxy : IAsyncDisposable
{
    /// <summary>Request and response headers that belong to one hop, not to the call.</summary>
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Proxy-Connection", "Upgrade", "TE", "Trailer", "Host",
    };

    private readonly WebApplication app;
    private readonly HttpMessageInvoker upstream;
    private readonly Dictionary<StorageService, Uri> targets;
    private readonly Dictionary<int, StorageService> servicesByPort = [];
    private readonly Dictionary<StorageService, int> portsByService = [];
    private readonly string accountName;
    private readonly string accountKey;
    private readonly Random random;
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];
    private Action<StorageCall>[] observers = [];
    private readonly int[] calls = new int[3];
    private readonly int[] faults = new int[3];
    private readonly CancellationTokenSource stopping = new();

    private StorageFaultProxy(WebApplication app, Dictionary<StorageService, Uri> targets, string accountName, string accountKey, int seed)
    {
        this.app = app;
        this.targets = targets;
        this.accountName = accountName;
        this.accountKey = accountKey;
        Seed = seed;
        random = new Random(seed);
        upstream = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
    }

    /// <summary>The seed of the random that picks faulted calls.</summary>
    public int Seed { get; }

    /// <summary>The connection string to give a host (<c>AzureWebJobsStorage</c>) or a client in place of Azurite's.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"DefaultEndpointsProtocol=http;AccountName={accountName};AccountKey={accountKey};") +
        string.Create(CultureInfo.InvariantCulture, $"BlobEndpoint={Endpoint(StorageService.Blob)};QueueEndpoint={Endpoint(StorageService.Queue)};TableEndpoint={Endpoint(StorageService.Table)};");

    /// <summary>The proxy's endpoint for <paramref name="service"/> (<c>http://127.0.0.1:P/devstoreaccount1</c>).</summary>
    public Uri Endpoint(StorageService service) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{portsByService[service]}/{accountName}"));

    /// <summary>
    /// Starts a proxy in front of the storage that <paramref name="connectionString"/> names (Azurite's: explicit
    /// http endpoints). <paramref name="seed"/> unset: <c>FAULT_SEED</c> if set, else a fresh one; either way it is printed.
    /// </summary>
    public static async Task<StorageFaultProxy> StartAsync(string connectionString, int? seed = null)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var targets = new Dictionary<StorageService, Uri>
        {
            [StorageService.Blob] = new((string)parts["BlobEndpoint"]),
            [StorageService.Queue] = new((string)parts["QueueEndpoint"]),
            [StorageService.Table] = new((string)parts["TableEndpoint"]),
        };
        seed ??= int.TryParse(Environment.GetEnvironmentVariable("FAULT_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();

        var listens = new Dictionary<StorageService, ListenOptions>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            foreach (var service in Enum.GetValues<StorageService>())
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listens[service] = listen;
                });
            }
        });
        var app = builder.Build();
        var proxy = new StorageFaultProxy(app, targets, (string)parts["AccountName"], (string)parts["AccountKey"], seed.Value);
        app.Run(proxy.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);

        // Kestrel writes the port it bound into each listen option.
        foreach (var (service, listen) in listens)
        {
            var port = listen.IPEndPoint!.Port;
            proxy.servicesByPort[port] = service;
            proxy.portsByService[service] = port;
        }

        var message = string.Create(CultureInfo.InvariantCulture, $"Storage fault proxy: seed {proxy.Seed} (FAULT_SEED={proxy.Seed} repeats it); blob {proxy.portsByService[StorageService.Blob]}, queue {proxy.portsByService[StorageService.Queue]}, table {proxy.portsByService[StorageService.Table]}");
        TestContext.Current.TestOutputHelper?.WriteLine(message);
        return proxy;
    }

    /// <summary>Switches <paramref name="rule"/> on (after the rules already on); disposing the result switches it off.</summary>
    public IDisposable Inject(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (gate)
        {
            rule.Until = rule.Window is { } window ? DateTime.UtcNow + window : null;
            rules.Add(rule);
        }

        return new Switch(() => Remove(rule));
    }

    /// <summary>Switches <paramref name="all"/> on, in order; disposing the result switches them all off.</summary>
    public IDisposable Inject(IEnumerable<FaultRule> all)
    {
        var switches = all.Select(Inject).ToList();
        return new Switch(() => switches.ForEach(s => s.Dispose()));
    }

    /// <summary>
    /// Passes every call that reaches the proxy from now on to <paramref name="observer"/>, as it arrives and before any rule
    /// sees it (faulted calls included); disposing the result stops it. The observer runs on the call's own thread, calls in
    /// parallel included, so it must be quick and thread-safe; it changes nothing about the call.
    /// </summary>
    public IDisposable Observe(Action<StorageCall> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (gate)
        {
            observers = [.. observers, observer];
        }

        return new Switch(() =>
        {
            lock (gate)
            {
                observers = [.. observers.Where(o => !ReferenceEquals(o, observer))];
            }
        });
    }

    /// <summary>Switches every rule off.</summary>
    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    /// <summary>How many calls reached the proxy for <paramref name="service"/>.</summary>
    public int Calls(StorageService service) => Volatile.Read(ref calls[(int)service]);

    /// <summary>How many calls to <paramref name="service"/> were faulted (by any rule).</summary>
    public int Faults(StorageService service) => Volatile.Read(ref faults[(int)service]);

    /// <summary>Calls and faults per service and each rule's count, for a test's output or an assertion's message.</summary>
    public string Describe()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"seed {Seed};");
        foreach (var service in Enum.GetValues<StorageService>())
        {
            text.Append(CultureInfo.InvariantCulture, $" {service}: {Calls(service)} calls, {Faults(service)} faulted;");
        }

        lock (gate)
        {
            foreach (var rule in rules)
            {
                text.Append(' ').Append(rule).Append(';');
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        // Held calls (Timeout) end first, so stopping Kestrel does not wait on them.
        await stopping.CancelAsync();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        upstream.Dispose();
        stopping.Dispose();
    }

    private void Remove(FaultRule rule)
    {
        lock (gate)
        {
            rules.Remove(rule);
        }
    }

    /// <summary>The first rule on that applies to the call and whose draw comes up, or none.</summary>
    private FaultRule? Draw(StorageCall call)
    {
        var now = DateTime.UtcNow;
        lock (gate)
        {
            foreach (var rule in rules)
            {
                if (rule.Applies(call, now) && (rule.Fraction >= 1.0 || random.NextDouble() < rule.Fraction))
                {
                    // Counted under the lock, so Times holds with calls in parallel.
                    rule.CountFired();
                    return rule;
                }
            }
        }

        return null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var service = servicesByPort[context.Connection.LocalPort];
        var call = new StorageCall(service, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty);
        Interlocked.Increment(ref calls[(int)service]);
        foreach (var observer in Volatile.Read(ref observers))
        {
            observer(call);
        }

        var fault = Draw(call);
        if (fault is not null)
        {
            Interlocked.Increment(ref faults[(int)service]);
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        var cancellationToken = aborted.Token;
        try
        {
            if (fault is { AfterForward: false })
            {
                if (await FaultAsync(context, fault, service, cancellationToken))
                {
                    return;
                }
            }

            using var request = ToUpstream(context, targets[service]);
            using var response = await upstream.SendAsync(request, cancellationToken);
            if (fault is { AfterForward: true })
            {
                // Read storage's whole answer, so the call is finished there, then fault what the client sees instead (a
                // delay passes it on after all).
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                if (await FaultAsync(context, fault, service, cancellationToken))
                {
                    return;
                }
            }

            await CopyBackAsync(context, response, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client gave up (its timeout, a Timeout fault) or the proxy is stopping: nobody is left to answer.
            context.Abort();
        }
    }

    /// <summary>Applies <paramref name="fault"/>; true when the call is answered (or dropped) by it, false to go on forwarding.</summary>
    private static async Task<bool> FaultAsync(HttpContext context, FaultRule fault, StorageService service, CancellationToken cancellationToken)
    {
        switch (fault.Action)
        {
            case FaultAction.ServerBusy:
                await WriteErrorAsync(context, service, HttpStatusCode.ServiceUnavailable, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.");
                return true;
            case FaultAction.InternalError:
                await WriteErrorAsync(context, service, HttpStatusCode.InternalServerError, "InternalError", "Server encountered an internal error. Please try again after some time.");
                return true;
            case FaultAction.Reset:
                context.Abort();
                return true;
            case FaultAction.Timeout:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return true;
            default:
                await Task.Delay(fault.Delay, cancellationToken);
                return false;
        }
    }

    /// <summary>An error as the service sends it: the code in <c>x-ms-error-code</c> and in the body (XML for blob and queue, JSON for table).</summary>
    private static async Task WriteErrorAsync(HttpContext context, StorageService service, HttpStatusCode status, string code, string message)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.StatusCode = (int)status;
        context.Response.Headers["x-ms-error-code"] = code;
        context.Response.Headers["x-ms-request-id"] = requestId;
        context.Response.Headers["x-ms-version"] = context.Request.Headers["x-ms-version"];
        string body;
        if (service == StorageService.Table)
        {
            context.Response.ContentType = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
            body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["odata.error"] = new { code, message = new { lang = "en-US", value = $"{message}\nRequestId:{requestId}\nTime:{DateTime.UtcNow:O}" } },
            });
        }
        else
        {
            context.Response.ContentType = "application/xml";
            body = $"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}&#xA;RequestId:{requestId}&#xA;Time:{DateTime.UtcNow:O}</Message></Error>""";
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    /// <summary>The same call to storage: method, raw path and query, headers (Host too), and the body streamed through.</summary>
    private static HttpRequestMessage ToUpstream(HttpContext context, Uri target)
    {
        var incoming = context.Request;
        // The target exactly as the client sent it: Shared Key signs the path as encoded (a table key's %3A, say), and Kestrel's
        // Path is decoded, so it is not re-encoded from that.
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var uri = new Uri(
            string.Create(CultureInfo.InvariantCulture, $"{target.Scheme}://{target.Host}:{target.Port}{rawTarget}"),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var hasBody = incoming.ContentLength > 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        var hasContentHeaders = incoming.ContentLength is not null || incoming.Headers.Keys.Any(IsContentHeader);
        if (hasBody || hasContentHeaders)
        {
            request.Content = hasBody ? new StreamContent(incoming.Body) : new ByteArrayContent([]);
            request.Content.Headers.ContentLength = incoming.ContentLength;
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopHeaders.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (IsContentHeader(name))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        request.Headers.Host = incoming.Host.Value;
        return request;
    }

    private static async Task CopyBackAsync(HttpContext context, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, cancellationToken);
    }

    private static bool IsContentHeader(string name) =>
        name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.Equals("Expires", StringComparison.OrdinalIgnoreCase) || name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase) || name.Equals("Allow", StringComparison.OrdinalIgnoreCase);

    private sealed class Switch(Action off) : IDisposable
    {
        public void Dispose() => off();
    }
}
