using Compliance.Benchmarks;

return await RequestBenchmark.RunFromArgsAsync(args);
