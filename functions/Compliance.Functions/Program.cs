using Compliance.Functions;
using Compliance.Functions.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ResponseHeadersMiddleware>();
builder.UseMiddleware<StorageFailureMiddleware>();
builder.AddComplianceFunctions();
builder.Build().Run();
