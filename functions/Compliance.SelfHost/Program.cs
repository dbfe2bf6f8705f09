using Compliance.SelfHost;

await using var host = await SelfHostApplication.StartAsync(args);
host.WriteBanner(Console.Out);
await host.WaitForShutdownAsync();
Console.WriteLine("Compliance self-host stopped.");
