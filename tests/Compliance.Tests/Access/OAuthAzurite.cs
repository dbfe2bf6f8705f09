using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Access;

/// <summary>
/// Azurite's blob service over HTTPS with OAuth, as production storage is reached: with a token and no account key, so
/// links must be user-delegation SAS. Azurite checks a token's issuer, audience and lifetime but not its signature, so the
/// token here is made up; the certificate is a throwaway one for 127.0.0.1 that only these clients trust.
/// </summary>
internal sealed partial class OAuthAzurite : IAsyncDisposable
{
    private readonly ChildProcess process;
    private readonly DirectoryInfo directory;
    private readonly byte[] certificate;

    private OAuthAzurite(ChildProcess process, DirectoryInfo directory, byte[] certificate, int port)
    {
        this.process = process;
        this.directory = directory;
        this.certificate = certificate;
        BlobEndpoint = new Uri($"https://127.0.0.1:{port}/devstoreaccount1");
    }

    public Uri BlobEndpoint { get; }

    public static async Task<OAuthAzurite> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("azurite-oauth-");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory.FullName, "cert.pem");
        var keyPath = Path.Combine(directory.FullName, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), cancellationToken);
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), cancellationToken);

        var start = new ProcessStartInfo("node") { WorkingDirectory = Repository.Root };
        foreach (var arg in new[]
                 {
                     Path.Combine(Repository.Root, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
                     "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--inMemoryPersistence", "--silent",
                     "--blobHost", "127.0.0.1", "--blobPort", "0", "--oauth", "basic", "--cert", certPath, "--key", keyPath,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var port = 0;
        var child = await ChildProcess.StartAsync(
            start,
            line =>
            {
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    port = int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture);
                }

                return match.Success;
            },
            TimeSpan.FromSeconds(60),
            cancellationToken);
        return new OAuthAzurite(child, directory, certificate.RawData, port);
    }

    /// <summary>A client of this Azurite with a bearer token, as <c>DefaultAzureCredential</c> gives one in Azure.</summary>
    public BlobServiceClient CreateClient() => new(BlobEndpoint, new UnsignedToken(), new BlobClientOptions
    {
        Transport = new HttpClientTransport(CreateHttpClient()),
        Retry = { MaxRetries = 0 },
    });

    /// <summary>A plain HTTP client that trusts this Azurite's certificate and nothing else of it.</summary>
    public HttpClient CreateHttpClient() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(certificate),
    });

    public async ValueTask DisposeAsync()
    {
        process.Kill();
        await process.Process.WaitForExitAsync();
        process.Dispose();
        directory.Delete(recursive: true);
    }

    [GeneratedRegex(@"successfully listens on https://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>A token with the claims Azurite checks (issuer, audience, lifetime) and those a delegation key is bound to (oid, tid).</summary>
    private sealed class UnsignedToken : TokenCredential
    {
        private static readonly string TenantId = Guid.NewGuid().ToString();
        private static readonly string ObjectId = Guid.NewGuid().ToString();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            var claims = new Dictionary<string, object>
            {
                ["aud"] = "https://storage.azure.com",
                ["iss"] = $"https://sts.windows.net/{TenantId}/",
                ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
                ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
                ["oid"] = ObjectId,
                ["tid"] = TenantId,
            };
            var token = $"{Base64Url("""{"alg":"RS256","typ":"JWT"}""")}.{Base64Url(JsonSerializer.Serialize(claims))}.{Base64Url("unsigned")}";
            return new AccessToken(token, now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));

        private static string Base64Url(string text) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
