using Compliance.Functions;
using Compliance.Functions.Http;
using Compliance.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ResponseHeadersMiddleware>();
builder.UseMiddleware<StorageFailureMiddleware>();
builder.AddComplianceFunctions();
builder.AddAzureMonitorTelemetry();
builder.Build().Run();
