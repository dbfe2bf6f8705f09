using System.Net.Sockets;
using System.Text;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>
/// A chunked body whose framing is broken (a chunk size that is not hex) is a 400 problem on the routes that read a whole
/// body, JSON or raw mail, never a 500: the server's exception is turned into an answer where the body is read.
/// </summary>
public sealed class BrokenFramingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/requests", "application/json")]
    [InlineData("/api/requests/DSR-20261202-7KQ2M9XA/verify", "application/json")]
    public async Task A_chunk_size_that_is_not_hex_is_a_400_problem(string path, string contentType)
    {
        // Arrange: a raw HTTP/1.1 request, since no client sends broken chunking on purpose.
        var address = env.Host.BaseAddress;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, Ct);
        await using var stream = tcp.GetStream();
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n{{}}\r\n0\r\n\r\n";

        // Act
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(Ct);

        // Assert
        response.ShouldStartWith("HTTP/1.1 400", customMessage: response);
        response.ShouldContain("application/problem+json", customMessage: response);
        response.ShouldContain("urn:compliance:problem:upload-incomplete", customMessage: response);
    }
}
