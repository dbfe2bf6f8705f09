using System.Globalization;
using Compliance.Functions;
using Compliance.Functions.Console;
using Compliance.SelfHost.Binding;
using Compliance.SelfHost.Demo;
using Compliance.SelfHost.Engine;
using Compliance.SelfHost.Mailbox;
using Compliance.SelfHost.Storage;
using Compliance.SelfHost.Telemetry;
using Compliance.Storage;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost;

/// <summary>
/// The self-host, started: storage (a configured account, or Azurite it starts itself), the Durable engine, and the
/// Functions app's functions served over HTTP, timers and the Durable worker.
/// </summary>
public sealed class SelfHostApplication : IAsyncDisposable
{
    private readonly AzuriteProcess? azurite;
    private readonly DurableEngine engine;
    private readonly GrpcChannel channel;
    private readonly ILoggerFactory engineLogging;

    private SelfHostApplication(WebApplication app, AzuriteProcess? azurite, DurableEngine engine, GrpcChannel channel, ILoggerFactory engineLogging, string storageDescription, bool trustsPrincipalHeader, string demoData, bool mailbox)
    {
        DemoDataDescription = demoData;
        App = app;
        this.azurite = azurite;
        this.engine = engine;
        this.channel = channel;
        this.engineLogging = engineLogging;
        StorageDescription = storageDescription;
        TrustsPrincipalHeader = trustsPrincipalHeader;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        MailboxAddress = mailbox ? new Uri(BaseAddress, DevMailbox.Path) : null;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Where the HTTP API listens (the functions are below <c>/api</c>).</summary>
    public Uri BaseAddress { get; }

    public string StorageDescription { get; }

    public bool TrustsPrincipalHeader { get; }

    /// <summary>The local mailbox's page (Development with <c>Mail:Transport</c> <c>none</c>); null when it is off.</summary>
    public Uri? MailboxAddress { get; }

    /// <summary>What happened about demo data at start-up.</summary>
    public string DemoDataDescription { get; }

    public string TaskHub => engine.TaskHub;

    /// <summary>The workflow version this node starts instances with and the newest it runs.</summary>
    public string WorkflowVersion { get; private init; } = Functions.WorkflowVersion.Current;

    public FunctionCatalog Catalog => App.Services.GetRequiredService<FunctionCatalog>();

    /// <summary>Where traces and metrics go (<c>Telemetry:Exporter</c>); nowhere by default.</summary>
    public SelfHostTelemetryOptions Telemetry { get; private init; } = new();

    /// <summary>
    /// Builds and starts everything. <paramref name="configure"/> adds configuration on top of the usual sources and
    /// <paramref name="configureServices"/> replaces services after the app's own (tests use both, e.g. for a fake clock).
    /// </summary>
    public static async Task<SelfHostApplication> StartAsync(
        string[] args,
        Action<IConfigurationBuilder>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        var configuration = builder.Configuration;

        var engineLogging = LoggerFactory.Create(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddSimpleConsole(console => console.SingleLine = true));

        AzuriteProcess? azurite = null;
        DurableEngine? engine = null;
        try
        {
            string storageDescription;
            if (StorageConnection.IsConfigured(configuration))
            {
                storageDescription = StorageConnection.FromConfiguration(configuration).Describe();
            }
            else
            {
                var root = AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
                    ?? throw new InvalidOperationException("No storage is configured and Azurite is not installed: run 'npm ci' in the repository, or set AzureWebJobsStorage.");
                var dataPath = Path.GetFullPath(configuration["SelfHost:Azurite:DataPath"] ?? Path.Combine(root, ".azurite"), root);
                azurite = await AzuriteProcess.StartAsync(
                    root,
                    dataPath,
                    configuration.GetValue("SelfHost:Azurite:BlobPort", 10000),
                    configuration.GetValue("SelfHost:Azurite:QueuePort", 10001),
                    configuration.GetValue("SelfHost:Azurite:TablePort", 10002),
                    cancellationToken);
                configuration[StorageConnection.SettingName] = azurite.ConnectionString;
                storageDescription = string.Create(CultureInfo.InvariantCulture, $"Azurite started by the self-host (blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}; data in {dataPath})");
            }

            var engineOptions = configuration.GetSection("SelfHost:Durable").Get<DurableEngineOptions>() ?? new DurableEngineOptions();
            if (configuration["DurableTaskHubName"] is { Length: > 0 } hub)
            {
                engineOptions.TaskHubName = hub;
            }

            engine = await DurableEngine.StartAsync(StorageConnection.FromConfiguration(configuration), engineOptions, engineLogging, cancellationToken);

            var trust = configuration.GetValue<bool?>("Auth:TrustClientPrincipalHeader") ?? builder.Environment.IsDevelopment();
            builder.WebHost.UseUrls(configuration["SelfHost:Urls"] ?? "http://localhost:7071");
            // The functions enforce their own limits (JSON bodies, uploads per kind); Kestrel's 30 MB default would cut recordings off.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

            var catalog = FunctionCatalog.Read(FunctionsAppExtensions.FunctionsAssembly);
            builder.AddComplianceFunctions();
            var telemetry = builder.Services.AddSelfHostTelemetry(configuration);
            builder.Services.AddSingleton(catalog);
            builder.Services.AddSingleton<DemoData>();
            var mailbox = builder.AddDevMailbox();
            builder.Services.AddMvcCore();
            var channel = GrpcChannel.ForAddress(engine.Address);
            // Instances are stamped with the workflow version; a node runs those of its version or older and leaves newer
            // ones untouched for a newer node (ADR 0015), as host.json's versioning settings make the Functions host do.
            var version = engineOptions.WorkflowVersion;
            builder.Services.AddDurableTaskClient(client =>
            {
                client.UseGrpc(channel);
                client.UseDefaultVersion(version);
                client.RegisterDirectly();
            });
            builder.Services.AddDurableTaskWorker(worker =>
            {
                worker.UseGrpc(channel);
                worker.UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
                {
                    Version = version,
                    DefaultVersion = version,
                    MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
                    FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
                });
                worker.AddTasks(registry => registry.AddFunctions(catalog));
            });
            var timerOptions = configuration.GetSection(TimerOptions.SectionName).Get<TimerOptions>() ?? new TimerOptions();
            ValidateTimerOptions(timerOptions);
            var timerHostId = string.IsNullOrWhiteSpace(timerOptions.HostId) ? engineOptions.TaskHubName.ToLowerInvariant() : timerOptions.HostId;
            builder.Services.AddSingleton(services => new TimerLocks(
                services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>(),
                timerHostId,
                timerOptions,
                services.GetRequiredService<ILoggerFactory>().CreateLogger<TimerLocks>()));
            builder.Services.AddHostedService<TimerFunctionScheduler>();
            // Unless configured, links point at where this host listens (known once it has started), never at a Host header.
            builder.Services.AddOptions<SiteOptions>().PostConfigure<IServer>((site, server) =>
                site.PublicBaseUrl ??= new Uri(server.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()));
            // The console's own sign-in page exists exactly where the principal header is trusted; its files are the ones
            // scripts/build-console.sh publishes into the repository, unless Console:ContentRoot names others.
            var consoleRoot = configuration[$"{ConsoleOptions.SectionName}:{nameof(ConsoleOptions.ContentRoot)}"] is { Length: > 0 } configured
                ? configured
                : AzuriteProcess.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory) is { } repository
                    ? Path.Combine(repository, ConsoleOptions.LocalPublishFolder)
                    : null;
            builder.Services.PostConfigure<ConsoleOptions>(console =>
            {
                console.LocalSignIn = trust;
                console.ContentRoot = consoleRoot ?? console.ContentRoot;
            });
            configureServices?.Invoke(builder.Services);

            var app = builder.Build();
            app.UseResponseHeadersAndRoutingProblems();
            app.UseClientPrincipalTrust(trust);
            app.MapHttpFunctions(catalog);
            app.MapDevMailbox();
            await app.StartAsync(cancellationToken);

            // Demo data on a first local run: by default only on the Azurite the self-host started itself, never on a configured account.
            var demo = "off";
            if (configuration.GetValue("SelfHost:SeedDemoData", azurite is not null))
            {
                demo = await app.Services.GetRequiredService<DemoData>().SeedIfEmptyAsync(cancellationToken)
                    ? $"seeded study {DemoData.StudyId} (fictional participants, an interview and a focus group)"
                    : "not seeded: storage already holds studies";
            }

            return new SelfHostApplication(app, azurite, engine, channel, engineLogging, storageDescription, trust, demo, mailbox) { WorkflowVersion = version, Telemetry = telemetry };
        }
        catch
        {
            if (engine is not null)
            {
                await engine.DisposeAsync();
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            engineLogging.Dispose();
            throw;
        }
    }

    /// <summary>A blob lease lasts 15 to 60 s; a bad value stops the host here, naming the setting.</summary>
    private static void ValidateTimerOptions(TimerOptions options)
    {
        if (options.LockPeriod < TimeSpan.FromSeconds(15) || options.LockPeriod > TimeSpan.FromSeconds(60))
        {
            throw new InvalidOperationException($"{TimerOptions.SectionName}:{nameof(TimerOptions.LockPeriod)} must be from 00:00:15 to 00:01:00 (a blob lease); it is {options.LockPeriod}.");
        }

        if (options.LockRecoveryPollingInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{TimerOptions.SectionName}:{nameof(TimerOptions.LockRecoveryPollingInterval)} must be positive; it is {options.LockRecoveryPollingInterval}.");
        }
    }

    /// <summary>What started and where, for the console.</summary>
    public void WriteBanner(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var catalog = Catalog;
        var api = new Uri(BaseAddress, "api/");
        output.WriteLine("Compliance self-host is running.");
        output.WriteLine($"  portal        {BaseAddress}");
        output.WriteLine($"  HTTP API      {api}");
        output.WriteLine($"  console       {new Uri(BaseAddress, "console/")}{(App.Services.GetRequiredService<ConsoleFiles>().IsPublished ? string.Empty : " (not built: run scripts/build-console.sh)")}");
        if (MailboxAddress is not null)
        {
            output.WriteLine($"  mailbox       {MailboxAddress}");
        }

        output.WriteLine($"  storage       {StorageDescription}");
        output.WriteLine($"  task hub      {TaskHub} (Durable Task engine, Azure Storage backend, {engine.PartitionCount} partitions, worker {engine.WorkerId}, sidecar {engine.Address})");
        output.WriteLine($"  timers        host id {App.Services.GetRequiredService<TimerLocks>().HostId} (each timer runs on one node of this id at a time)");
        output.WriteLine($"  workflows     version {WorkflowVersion} (runs instances of this version or older)");
        output.WriteLine($"  telemetry     {DescribeTelemetry()}");
        output.WriteLine($"  principal     X-MS-CLIENT-PRINCIPAL is {(TrustsPrincipalHeader ? "trusted (Auth:TrustClientPrincipalHeader)" : "ignored: staff routes answer 401")}");
        output.WriteLine($"  environment   {App.Environment.EnvironmentName}");
        output.WriteLine($"  demo data     {DemoDataDescription}");
        output.WriteLine("  functions");
        foreach (var f in catalog.Functions)
        {
            var what = f.Kind switch
            {
                FunctionKind.Http => $"{string.Join(",", f.HttpMethods!)} {HttpFunctionEndpoints.DisplayPathOf(f)}",
                FunctionKind.Timer => $"timer {f.Schedule}",
                _ => f.Kind.ToString().ToLowerInvariant(),
            };
            if (FunctionSwitches.IsDisabled(f, App.Configuration))
            {
                what += $" (disabled: {FunctionSwitches.SettingFor(f.Name)})";
            }

            output.WriteLine($"    {f.Name,-28} {what}");
        }

        output.WriteLine("Press Ctrl+C to stop.");
    }

    private string DescribeTelemetry() => Telemetry.Exporter switch
    {
        TelemetryExporter.Console => "traces and metrics printed here (Telemetry:Exporter console)",
        TelemetryExporter.Otlp => $"traces and metrics sent over OTLP to {Telemetry.OtlpEndpoint?.ToString() ?? "the exporter's default endpoint"} (Telemetry:Exporter otlp)",
        _ => "off (Telemetry:Exporter none; console or otlp to switch it on)",
    };

    public Task WaitForShutdownAsync() => App.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        channel.Dispose();
        await engine.DisposeAsync();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        engineLogging.Dispose();
    }
}
