using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// Which spans start a trace: an incoming call (an HTTP request, a timer's invocation: server or consumer spans) or a
/// message sent with nothing above it (a producer). A client or internal span with no parent is the Durable engine's own
/// storage polling, many a second and part of no piece of work, so it is dropped; every span under a kept one is kept
/// (<see cref="ParentBasedSampler"/> wraps this one).
/// </summary>
public sealed class EntryPointSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind is ActivityKind.Server or ActivityKind.Consumer or ActivityKind.Producer
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
}
