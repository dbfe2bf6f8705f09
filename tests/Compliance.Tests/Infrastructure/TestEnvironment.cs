using System.Net.Http.Headers;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.SelfHost;
using Compliance.SelfHost.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Compliance.Tests.Infrastructure.TestEnvironment))]

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// Started once per test run: Azurite in memory on free loopback ports, and the self-host in-process on it with a task hub
/// of its own, trusting the principal header as in development. Always torn down, Azurite included.
/// </summary>
public sealed class TestEnvironment : IAsyncLifetime
{
    private AzuriteProcess? azurite;
    private SelfHostApplication? host;
    private Task<SelfHostApplication>? mailHost;

    public AzuriteProcess Azurite => azurite ?? throw new InvalidOperationException("Not started.");

    public SelfHostApplication Host => host ?? throw new InvalidOperationException("Not started.");

    public string StorageConnectionString => Azurite.ConnectionString;

    public HttpClient Http { get; private set; } = null!;

    public DurableTaskClient Durable => Host.Services.GetRequiredService<DurableTaskClient>();

    public TableServiceClient Tables { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>What the shared host logs (warnings and errors: its configured level), for tests that wait for a line.</summary>
    public LogCapture Logs { get; } = new();

    public async ValueTask InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync(Repository.Root, dataPath: null, 0, 0, 0, TestContext.Current.CancellationToken);
        Tables = new TableServiceClient(azurite.ConnectionString);
        Blobs = new BlobServiceClient(azurite.ConnectionString);
        host = await StartHostAsync(trustPrincipalHeader: true, configureServices: Logs.AddTo);
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // Requests name a registered study: the MPATI study, under its policy file, is there for every test.
        await StudyApi.RegisterStudyAsync(Http, StudyId);
    }

    /// <summary>The study every request test uses, registered at start under policies/mpati.yaml.</summary>
    public const string StudyId = "MPATI";

    /// <summary>
    /// Starts another in-process self-host on this Azurite with a task hub of its own (dispose it when done). Its timer
    /// functions are off unless <paramref name="settings"/> switches one on (<c>AzureWebJobs.&lt;name&gt;.Disabled</c> = <c>false</c>).
    /// <paramref name="environment"/> names the host environment (<c>Development</c>); unset, the process's (Production in CI).
    /// </summary>
    public Task<SelfHostApplication> StartHostAsync(bool trustPrincipalHeader, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null, string? environment = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["DurableTaskHubName"] = NewTaskHubName(),
            ["SelfHost:Urls"] = "http://127.0.0.1:0",
            ["Auth:TrustClientPrincipalHeader"] = trustPrincipalHeader ? "true" : "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["RateLimits:Enabled"] = "false",
        };
        foreach (var (key, value) in TimerSwitches.AllOff())
        {
            values[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        // The environment is host configuration, fixed when the builder is made: it comes as an argument, not a setting.
        string[] args = environment is null ? [] : ["--environment", environment];
        return SelfHostApplication.StartAsync(args, config => config.AddInMemoryCollection(values), configureServices, TestContext.Current.CancellationToken);
    }

    /// <summary>The research mailbox of <see cref="MailHostAsync"/>, as the intake corpus was written for.</summary>
    public const string MailboxAddress = "mpati@research.example.org";

    /// <summary>The key a relay presents to <see cref="MailHostAsync"/>'s <c>POST /api/mail/inbound</c>.</summary>
    public const string RelayKey = "test-relay-key-0123456789";

    /// <summary>The largest message <see cref="MailHostAsync"/> parses (25 MB): above it, a message is quarantined.</summary>
    public const long MailHostMaxMessageBytes = 25L * 1024 * 1024;

    /// <summary>
    /// A second self-host, started on first use and shared by the email tests: its mailbox and Message-ID domain are those
    /// the intake corpus was written for, and a relay key is configured.
    /// </summary>
    public Task<SelfHostApplication> MailHostAsync()
    {
        lock (this)
        {
            return mailHost ??= StartHostAsync(
                trustPrincipalHeader: true,
                new Dictionary<string, string?>
                {
                    ["Mail:FromAddress"] = MailboxAddress,
                    ["Mail:MessageIdDomain"] = "research.example.org",
                    ["Intake:RelayKey"] = RelayKey,
                    ["Intake:MaxMessageBytes"] = MailHostMaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
        }
    }

    /// <summary>A task hub name unique to this run (letters and digits, starting with a letter, at most 45).</summary>
    public static string NewTaskHubName() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A client for another host's base address.</summary>
    public static HttpClient ClientFor(Uri baseAddress) => new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (mailHost is { IsCompletedSuccessfully: true })
        {
            await (await mailHost).DisposeAsync();
        }

        if (host is not null)
        {
            await host.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

/// <summary>Staff principals as App Service Authentication would send them.</summary>
public static class Staff
{
    public static void SignIn(this HttpRequestMessage request, string role, string id = "staff-1") =>
        request.Headers.Add(Compliance.Identity.ClientPrincipal.HeaderName, Compliance.Identity.ClientPrincipal.Encode(id, [role]));

    public static HttpRequestMessage Get(string path, string? role = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (role is not null)
        {
            request.SignIn(role);
        }

        return request;
    }

    public static HttpRequestMessage PostJson(string path, string json, string? role = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (role is not null)
        {
            request.SignIn(role);
        }

        return request;
    }
}
