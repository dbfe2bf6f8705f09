using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Compliance.SelfHost.Binding;
using Compliance.Tests.Infrastructure;

namespace Compliance.Benchmarks.Calls;

/// <summary>One call the product's own storage clients sent: where, and within which function.</summary>
/// <param name="Service">The service, told by the port it went to (the proxy's, one per service).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path as sent (encoded), account included.</param>
/// <param name="Query">The query with its <c>?</c>, or empty.</param>
/// <param name="Step">The function the call was made within (<see cref="FunctionInvoker.Current"/>), or <see cref="CallsBenchmark.OutsideAFunction"/>.</param>
/// <param name="Batch">For a table <c>$batch</c>, its operations as <c>METHOD path</c> (read from its body); otherwise empty.</param>
internal sealed record ProductCall(StorageService Service, string Method, string Path, string Query, string Step, IReadOnlyList<string> Batch);

/// <summary>
/// An Azure SDK pipeline policy for the product's <c>BlobServiceClient</c> and <c>TableServiceClient</c> (added to their
/// defaults by the benchmark's host), per retry, so it sees every attempt that reaches the proxy. It changes nothing about
/// the call; for a table batch it reads the (small, in-memory) multipart body to name the operations inside it, which the
/// proxy cannot without buffering the body.
/// </summary>
internal sealed partial class ProductCallCounter(IReadOnlyDictionary<int, StorageService> servicesByPort, Action<ProductCall> record) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        if (!servicesByPort.TryGetValue(uri.Port, out var service))
        {
            throw new InvalidOperationException($"A product call to {uri.GetLeftPart(UriPartial.Authority)}, which is not the proxy: it would not be counted.");
        }

        var path = uri.AbsolutePath;
        var batch = service == StorageService.Table && path.EndsWith("/$batch", StringComparison.Ordinal) ? BatchOperations(message.Request.Content) : [];
        record(new ProductCall(service, message.Request.Method.Method, path, uri.Query, FunctionInvoker.Current?.Name ?? CallsBenchmark.OutsideAFunction, batch));
    }

    /// <summary>The request lines of a batch's changeset: <c>PUT http://…/AuditLog(PartitionKey='…',RowKey='head')</c> as <c>PUT /AuditLog(…)</c>.</summary>
    private static List<string> BatchOperations(RequestContent? content)
    {
        if (content is null)
        {
            return [];
        }

        using var body = new MemoryStream();
        content.WriteTo(body, CancellationToken.None);
        return [.. InnerRequest().Matches(Encoding.UTF8.GetString(body.ToArray())).Select(m => $"{m.Groups["method"].Value} {new Uri(m.Groups["url"].Value).AbsolutePath}")];
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|MERGE|PATCH|DELETE) (?<url>https?://\S+) HTTP/1\.1\r?$", RegexOptions.Multiline)]
    private static partial Regex InnerRequest();
}
