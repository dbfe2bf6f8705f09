using System.Text;
using Compliance.Functions.Mail.Graph;
using Compliance.Mail;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>The Graph transport sends the finished MIME through sendMail, threading headers and all.</summary>
public sealed class GraphMailTransportTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendMail_receives_the_message_as_base64_MIME_with_its_threading_headers()
    {
        // Arrange: the transport as the outbox sender finds it, and a reply in a request's thread.
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var transport = connector.Host.Services.GetRequiredKeyedService<IMailTransport>(GraphMailTransport.TransportName);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("NatCen research team", connector.Graph.Mailbox));
        message.To.Add(new MailboxAddress("Alex Example", "alex@example.org"));
        message.Subject = "Your request [Ref DSR-20261130-AB12CD34]";
        message.MessageId = "DSR-20261130-AB12CD34.outcome@natcen.ac.uk";
        message.InReplyTo = "DSR-20261130-AB12CD34.verification-code-1@natcen.ac.uk";
        message.References.Add("DSR-20261130-AB12CD34.acknowledgement@natcen.ac.uk");
        message.References.Add("DSR-20261130-AB12CD34.verification-code-1@natcen.ac.uk");
        message.Body = new TextPart("plain") { Text = "Your request is complete." };

        // Act
        await transport.SendAsync(message, Ct);

        // Assert: one sendMail from the mailbox, text/plain base64 of the MIME, which keeps its headers and CRLF line ends.
        transport.Name.ShouldBe("graph");
        var request = connector.Graph.Requests.Single(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal));
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe($"/v1.0/users/{connector.Graph.Mailbox}/sendMail");
        request.ContentType.ShouldStartWith("text/plain");
        var mime = connector.Graph.SentMime.ShouldHaveSingleItem();
        Encoding.ASCII.GetString(mime).ShouldContain("\r\nIn-Reply-To: <DSR-20261130-AB12CD34.verification-code-1@natcen.ac.uk>\r\n");
        using var stream = new MemoryStream(mime);
        var sent = await MimeMessage.LoadAsync(stream, Ct);
        sent.MessageId.ShouldBe(message.MessageId);
        sent.InReplyTo.ShouldBe(message.InReplyTo);
        sent.References.ShouldBe(message.References);
        sent.Subject.ShouldBe(message.Subject);
        sent.TextBody!.TrimEnd().ShouldBe("Your request is complete.");
        connector.Graph.Credential.Scopes.ShouldAllBe(s => s == "https://graph.microsoft.com/.default");
    }
}
