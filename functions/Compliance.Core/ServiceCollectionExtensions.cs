using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Compliance;

/// <summary>Registers the domain and its storage; both hosts call it.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Adds storage clients (from <c>AzureWebJobsStorage</c>), the stores, the audit log, mail, access exports, rate limits and the time provider.</summary>
    public static IHostApplicationBuilder AddComplianceCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var connection = StorageConnection.FromConfiguration(builder.Configuration);
        services.AddSingleton(connection);
        services.AddAzureClients(clients =>
        {
            clients.AddClient<BlobServiceClient, BlobClientOptions>(options => connection.CreateBlobServiceClient(options));
            clients.AddClient<TableServiceClient, TableClientOptions>(options => connection.CreateTableServiceClient(options));
        });
        services.AddHostedService<StorageInitializer>();

        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.SectionName);
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => PolicyCatalogFactory.Create(sp.GetRequiredService<IOptions<PolicyOptions>>()));
        services.AddHostedService<PolicyStartupCheck>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<StudyStore>();
        services.AddSingleton<StudyPolicies>();
        services.AddSingleton<Tasks.TaskStore>();
        services.AddSingleton(Deadlines.EnglandAndWalesBankHolidays.Default);
        services.AddSingleton<Deadlines.DeadlineCalculator>();
        services.AddSingleton<ArtifactStore>();
        services.AddSingleton<Deletion.BlobEraser>();
        services.AddSingleton<Participants.ParticipantDataEraser>();
        services.AddSingleton<Participants.PendingContactChanges>();
        services.AddSingleton<Participants.RequesterDetailsEraser>();
        services.AddSingleton<Participants.ContactEraser>();
        services.AddSingleton<RequestStore>();
        services.AddSingleton<Requests.RequestLists>();
        services.AddSingleton<Requests.RequestViews>();
        services.AddSingleton<Reporting.RequestReports>();
        services.AddSingleton<Keys.ServiceKeys>();
        services.AddSingleton<StatusLinks>();
        services.AddSingleton<AuditAnchors>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<RequestCorrespondence>();
        services.AddSingleton<RequestEmails>();
        services.AddSingleton<StudyEmails>();
        services.AddSingleton<Mailer>();
        services.AddOutboxSending();
        services.AddSingleton<Access.AccessExportBuilder>();
        services.AddSingleton<Anonymisation.AnalystTranscripts>();
        services.AddSingleton<Access.ExportLinks>();
        services.AddSingleton<Suppliers.SupplierStore>();
        services.AddSingleton<Suppliers.SupplierContracts>();
        services.AddSingleton<Suppliers.SupplierNotifier>();

        // Retention: holds, the sweep's inventory and the deletion certificates.
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Retention.StorageProtectionOptions>().BindConfiguration(Retention.StorageProtectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Retention.HoldStore>();
        services.AddSingleton<Retention.DisclosureStore>();
        services.AddSingleton<Retention.RetentionInventoryBuilder>();
        services.AddSingleton<Retention.CertificateStore>();
        services.AddSingleton<Retention.CertificateIssuer>();

        // Email intake's pure core: reading raw messages within the size limit, and the classifier's embedded rules.
        services.AddOptions<Mail.Intake.IntakeOptions>().BindConfiguration(Mail.Intake.IntakeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Mail.Intake.InboundMessageReader>();
        services.AddSingleton<Mail.Intake.InboundMailStore>();
        services.AddSingleton<Mail.Intake.RequestMessages>();
        services.AddSingleton(Mail.Intake.RequestClassifier.Default);

        // Rate limits of the anonymous routes, counted in Table storage so that they hold across instances (docs/security.md).
        services.AddOptions<RateLimits.RateLimitOptions>().BindConfiguration(RateLimits.RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RateLimits.RateLimitRules>();
        services.AddSingleton<RateLimits.RateLimitKeyHasher>();
        services.AddSingleton<RateLimits.RateLimiter>();
        return builder;
    }
}
