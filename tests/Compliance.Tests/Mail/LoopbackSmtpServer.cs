using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Compliance.Tests.Mail;

/// <summary>A message the loopback server accepted: the envelope and the DATA exactly as received (dot-stuffing undone).</summary>
public sealed record ReceivedMail(string MailFrom, IReadOnlyList<string> RcptTo, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);
}

/// <summary>
/// The one test double of the outbox tests: an SMTP server on 127.0.0.1 and a free port, speaking as much of RFC 5321 as
/// MailKit uses without TLS or authentication (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), serving connections
/// at the same time. It records what it accepts and can refuse messages with a temporary error (451) at the end of DATA,
/// where a real server says whether it took the message.
/// </summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<ReceivedMail> received = new();
    private readonly ConcurrentBag<Task> connections = [];
    private readonly Task accepting;
    private int refuseNext;
    private int refused;

    public LoopbackSmtpServer()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Every message accepted so far, in order of acceptance.</summary>
    public IReadOnlyList<ReceivedMail> Received => received.ToArray();

    /// <summary>How many messages were refused at the end of DATA.</summary>
    public int Refused => Volatile.Read(ref refused);

    /// <summary>Refuses the next <paramref name="count"/> messages with 451; <see cref="int.MaxValue"/> refuses all.</summary>
    public void RefuseNext(int count) => Volatile.Write(ref refuseNext, count);

    /// <summary>How long the server waits before answering the end of DATA, so sends overlap.</summary>
    public TimeSpan DataDelay { get; set; } = TimeSpan.Zero;

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new LineReader(stream);
        var token = stopping.Token;
        try
        {
            await WriteAsync(stream, "220 loopback ESMTP ready", token);
            string? mailFrom = null;
            var rcptTo = new List<string>();
            while (await reader.ReadLineAsync(token) is { } line)
            {
                var text = Encoding.ASCII.GetString(line);
                var verb = text.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await WriteAsync(stream, "250-loopback\r\n250-8BITMIME\r\n250 SIZE 104857600", token);
                        break;
                    case "HELO":
                        await WriteAsync(stream, "250 loopback", token);
                        break;
                    case "MAIL":
                        mailFrom = Address(text);
                        rcptTo.Clear();
                        await WriteAsync(stream, "250 2.1.0 OK", token);
                        break;
                    case "RCPT" when mailFrom is not null:
                        rcptTo.Add(Address(text));
                        await WriteAsync(stream, "250 2.1.5 OK", token);
                        break;
                    case "DATA" when mailFrom is not null && rcptTo.Count > 0:
                        await WriteAsync(stream, "354 end with <CRLF>.<CRLF>", token);
                        var data = await ReadDataAsync(reader, token);
                        if (DataDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(DataDelay, token);
                        }

                        if (TryTakeRefusal())
                        {
                            Interlocked.Increment(ref refused);
                            await WriteAsync(stream, "451 4.3.0 try again later", token);
                        }
                        else
                        {
                            received.Enqueue(new ReceivedMail(mailFrom, rcptTo.ToList(), data));
                            await WriteAsync(stream, "250 2.0.0 queued", token);
                        }

                        mailFrom = null;
                        rcptTo.Clear();
                        break;
                    case "RSET":
                        mailFrom = null;
                        rcptTo.Clear();
                        await WriteAsync(stream, "250 2.0.0 OK", token);
                        break;
                    case "NOOP":
                        await WriteAsync(stream, "250 2.0.0 OK", token);
                        break;
                    case "QUIT":
                        await WriteAsync(stream, "221 2.0.0 bye", token);
                        return;
                    default:
                        await WriteAsync(stream, "503 5.5.1 bad sequence or unknown command", token);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private bool TryTakeRefusal()
    {
        while (true)
        {
            var left = Volatile.Read(ref refuseNext);
            if (left <= 0)
            {
                return false;
            }

            if (left == int.MaxValue || Interlocked.CompareExchange(ref refuseNext, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    /// <summary>Lines up to the lone ".", with the leading dot of dot-stuffed lines removed (RFC 5321 4.5.2), each ending CRLF.</summary>
    private static async Task<byte[]> ReadDataAsync(LineReader reader, CancellationToken token)
    {
        using var data = new MemoryStream();
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line is [(byte)'.'])
            {
                return data.ToArray();
            }

            var start = line.Length > 0 && line[0] == (byte)'.' ? 1 : 0;
            data.Write(line, start, line.Length - start);
            data.Write("\r\n"u8);
        }

        throw new IOException("The connection closed inside DATA.");
    }

    private static string Address(string command)
    {
        var open = command.IndexOf('<', StringComparison.Ordinal);
        var close = command.IndexOf('>', StringComparison.Ordinal);
        return open >= 0 && close > open ? command[(open + 1)..close] : string.Empty;
    }

    private static Task WriteAsync(NetworkStream stream, string reply, CancellationToken token) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), token).AsTask();

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
        await Task.WhenAll(connections);
        stopping.Dispose();
    }

    /// <summary>Reads CRLF-terminated lines as bytes, so 8-bit message content arrives unchanged.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] buffer = new byte[8192];
        private int start;
        private int end;

        public async Task<byte[]?> ReadLineAsync(CancellationToken token)
        {
            using var line = new MemoryStream();
            while (true)
            {
                if (start == end)
                {
                    start = 0;
                    end = await stream.ReadAsync(buffer, token);
                    if (end == 0)
                    {
                        return null;
                    }
                }

                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline < 0)
                {
                    line.Write(buffer, start, end - start);
                    start = end;
                    continue;
                }

                line.Write(buffer, start, newline - start);
                start = newline + 1;
                var bytes = line.ToArray();
                return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
            }
        }
    }
}
