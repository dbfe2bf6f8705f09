using Compliance.Benchmarks;

return args.FirstOrDefault() switch
{
    "requests" => await RequestBenchmark.RunFromArgsAsync(args),
    "retention" => await RetentionBenchmark.RunFromArgsAsync(args),
    "portal" => await PortalBenchmark.RunFromArgsAsync(args),
    "console" => await ConsoleBenchmark.RunFromArgsAsync(args),
    "classify" => await ClassifyBenchmark.RunFromArgsAsync(args),
    "intake-timing" => await IntakeTimingBenchmark.RunFromArgsAsync(args),
    "corpus" => await CorpusBenchmark.RunFromArgsAsync(args),
    "calls" => await Compliance.Benchmarks.Calls.CallsBenchmark.RunFromArgsAsync(args),
    "ack-latency" => await AckLatencyBenchmark.RunFromArgsAsync(args),
    "soak" => await Compliance.Benchmarks.Reliability.SoakBenchmark.RunFromArgsAsync(args),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: requests [--count N] [--concurrency C] | retention [--blobs N] [--parallel P] | portal [--requests N] [--rate R] | console [--requests N] | classify [--runs N] | intake-timing [--requests N] [--pause-ms M] | corpus [--quiet | --explain FILE] | calls [--each N] [--items M] [--idle-seconds S] | ack-latency [--rates 1,5] [--seconds S] | soak [--minutes M] [--users U] [--journeys N] [--seed S] [--faults off]");
    return 2;
}
