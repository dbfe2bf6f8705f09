using Compliance.Console;
using Compliance.Console.Api;
using Compliance.Console.Identity;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

// One session per tab: who is signed in, and (locally only) the principal header the console sends for them.
builder.Services.AddScoped<SessionState>();
builder.Services.AddScoped(services => new HttpClient(new PrincipalHeaderHandler(services.GetRequiredService<SessionState>()))
{
    // The API is on the same origin as the console (/api/...), so App Service Authentication's session covers both.
    BaseAddress = new Uri(new Uri(builder.HostEnvironment.BaseAddress), "/"),
});
builder.Services.AddScoped<ConsoleApi>();

await builder.Build().RunAsync();
