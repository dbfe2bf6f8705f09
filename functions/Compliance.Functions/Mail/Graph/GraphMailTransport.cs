using Compliance.Mail;
using MimeKit;

namespace Compliance.Functions.Mail.Graph;

/// <summary>
/// Sends a finished message from the research mailbox through Graph <c>sendMail</c> as MIME, so the message goes out with
/// the Message-ID, In-Reply-To and References it was written with. Registered as the keyed <see cref="IMailTransport"/>
/// <c>graph</c> only when the Graph connector is configured.
/// </summary>
public sealed class GraphMailTransport(GraphMailbox mailbox) : IMailTransport
{
    /// <summary>The transport's name and DI key (<c>Mail:Transport</c> = <c>graph</c>).</summary>
    public const string TransportName = "graph";

    private static readonly FormatOptions Wire = CreateWireFormat();

    public string Name => TransportName;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var buffer = new MemoryStream();
        await message.WriteToAsync(Wire, buffer, cancellationToken);
        await mailbox.SendMimeAsync(buffer.ToArray(), cancellationToken);
    }

    private static FormatOptions CreateWireFormat()
    {
        // Internet mail has CRLF line ends, whatever the platform's own.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
