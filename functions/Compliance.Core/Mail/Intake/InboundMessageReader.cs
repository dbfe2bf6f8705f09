using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Mail.Intake;

/// <summary>
/// Reads a raw RFC 822 message into an <see cref="InboundMessage"/>, within the size limit of <see cref="IntakeOptions"/>.
/// It never throws for a bad message: a message that is too large or cannot be parsed gives a result that says so and still
/// carries an intake key, because nothing may be dropped (the caller quarantines it). Attachments are listed, never opened.
/// </summary>
public sealed class InboundMessageReader(IOptions<IntakeOptions> options)
{
    private const int HeaderPrefixBytes = 256 * 1024;

    static InboundMessageReader()
    {
        // .NET has only the Unicode and Latin-1 encodings built in; without the code pages MimeKit would read Windows-1252
        // (Outlook's default) as Latin-1 and lose its curly quotes and dashes.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
    }

    /// <summary>Reads <paramref name="raw"/> to its end; only up to the size limit is kept in memory.</summary>
    public async Task<InboundReadResult> ReadAsync(Stream raw, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var limit = options.Value.MaxMessageBytes;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var kept = new MemoryStream();
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await raw.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            // Past the limit only the start is kept, for the headers: the size and the hash still cover every byte.
            var room = (int)Math.Max(0, Math.Min(read, (size <= limit ? limit + 1 : HeaderPrefixBytes) - kept.Length));
            if (room > 0)
            {
                kept.Write(buffer, 0, room);
            }

            size += read;
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        kept.Position = 0;
        return size > limit ? TooLarge(kept, size, sha256) : Parse(kept, size, sha256);
    }

    /// <summary>Reads a message held in memory.</summary>
    public InboundReadResult Read(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        using var stream = new MemoryStream(raw, writable: false);
        return ReadAsync(stream).GetAwaiter().GetResult();
    }

    private static InboundReadResult TooLarge(MemoryStream kept, long size, string sha256)
    {
        // The Message-ID still names the work, so a large message delivered twice is quarantined once.
        string? messageId = null;
        try
        {
            var headers = HeaderList.Load(kept);
            messageId = headers[HeaderId.MessageId] is { } value ? MimeKit.Utils.MimeUtils.EnumerateReferences(value).FirstOrDefault() : null;
        }
        catch (FormatException)
        {
            // No readable header block: the content hash names it.
        }

        return Failed(InboundReadStatus.TooLarge, InboundReadReason.TooLarge, messageId, size, sha256);
    }

    private static InboundReadResult Failed(InboundReadStatus status, string reason, string? messageId, long size, string sha256)
    {
        var id = string.IsNullOrWhiteSpace(messageId) ? MessageIds.ContentId(sha256) : MessageIds.Strip(messageId);
        return new InboundReadResult(status, reason, id, MessageIds.IntakeKeyFor(id), size, sha256, Message: null);
    }

    private static InboundReadResult Parse(MemoryStream kept, long size, string sha256)
    {
        if (size == 0)
        {
            return Failed(InboundReadStatus.Unparseable, InboundReadReason.Empty, null, size, sha256);
        }

        MimeMessage message;
        try
        {
            message = MimeMessage.Load(kept);
        }
        catch (FormatException)
        {
            return Failed(InboundReadStatus.Unparseable, InboundReadReason.NoHeaders, null, size, sha256);
        }

        using (message)
        {
            var hasMessageId = !string.IsNullOrWhiteSpace(message.MessageId);
            if (message.Headers.Count == 0 || !message.Headers.Any(h => h.Id is HeaderId.From or HeaderId.Subject or HeaderId.To or HeaderId.Date or HeaderId.MessageId))
            {
                // MimeKit accepts almost anything; a "message" without a single address header is not one.
                return Failed(InboundReadStatus.Unparseable, InboundReadReason.NoHeaders, message.MessageId, size, sha256);
            }

            var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
            if (from is null || !from.Address.Contains('@', StringComparison.Ordinal))
            {
                return Failed(InboundReadStatus.Unparseable, InboundReadReason.NoSender, message.MessageId, size, sha256);
            }

            try
            {
                var messageId = hasMessageId ? MessageIds.Strip(message.MessageId!) : MessageIds.ContentId(sha256);
                var key = MessageIds.IntakeKeyFor(messageId);
                var (text, source) = Body(message);
                var inbound = new InboundMessage(
                    MessageId: messageId,
                    HasMessageId: hasMessageId,
                    IntakeKey: key,
                    FromAddress: NormaliseAddress(from.Address),
                    FromName: string.IsNullOrWhiteSpace(from.Name) ? null : from.Name.Trim(),
                    Subject: (message.Subject ?? string.Empty).Trim(),
                    Date: message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : null,
                    InReplyTo: string.IsNullOrWhiteSpace(message.InReplyTo) ? null : MessageIds.Strip(message.InReplyTo),
                    References: [.. message.References.Select(MessageIds.Strip)],
                    Text: text,
                    TextSource: source,
                    Attachments: Attachments(message),
                    Headers: TopLevelHeaders(message),
                    ContentTypes: ContentTypes(message.Body));
                return new InboundReadResult(InboundReadStatus.Parsed, InboundReadReason.Parsed, messageId, key, size, sha256, inbound);
            }
            catch (FormatException)
            {
                return Failed(InboundReadStatus.Unparseable, InboundReadReason.Malformed, message.MessageId, size, sha256);
            }
        }
    }

    /// <summary>An address as intake compares it: trimmed and lower-case.</summary>
    public static string NormaliseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Trim().ToLowerInvariant();
    }

    private static (string Text, BodySource Source) Body(MimeMessage message)
    {
        var plain = message.TextBody;
        if (!string.IsNullOrWhiteSpace(plain))
        {
            return (Normalise(plain), BodySource.Plain);
        }

        var html = message.HtmlBody;
        return string.IsNullOrWhiteSpace(html) ? (string.Empty, BodySource.None) : (HtmlText.Reduce(html), BodySource.Html);
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();

    private static List<InboundAttachment> Attachments(MimeMessage message)
    {
        var list = new List<InboundAttachment>();
        foreach (var entity in message.BodyParts)
        {
            switch (entity)
            {
                case MessagePart forwarded:
                    using (var counter = new CountingStream())
                    {
                        forwarded.Message?.WriteTo(counter);
                        list.Add(new InboundAttachment(forwarded.ContentDisposition?.FileName ?? forwarded.ContentType.Name, forwarded.ContentType.MimeType.ToLowerInvariant(), counter.Length));
                    }

                    break;
                case TextPart text when !text.IsAttachment:
                    break; // a body, not an attachment
                case MimePart part:
                    using (var counter = new CountingStream())
                    {
                        part.Content?.DecodeTo(counter);
                        list.Add(new InboundAttachment(part.FileName, part.ContentType.MimeType.ToLowerInvariant(), counter.Length));
                    }

                    break;
            }
        }

        return list;
    }

    private static Dictionary<string, string> TopLevelHeaders(MimeMessage message)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in message.Headers)
        {
            headers.TryAdd(header.Field.ToLowerInvariant(), (header.Value ?? string.Empty).Trim());
        }

        return headers;
    }

    private static List<string> ContentTypes(MimeEntity? body)
    {
        var types = new List<string>();
        Walk(body);
        return types;

        // Not into attached messages: a forwarded bounce inside a person's email does not make that email a bounce.
        void Walk(MimeEntity? entity)
        {
            if (entity is null)
            {
                return;
            }

            types.Add(entity.ContentType.MimeType.ToLowerInvariant());
            if (entity is Multipart multipart)
            {
                foreach (var child in multipart)
                {
                    Walk(child);
                }
            }
        }
    }

    /// <summary>Counts what is written and keeps none of it: an attachment's size without holding its content.</summary>
    private sealed class CountingStream : Stream
    {
        private long length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get => length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => length += count;
    }
}
