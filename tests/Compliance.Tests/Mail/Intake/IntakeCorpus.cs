using Compliance.Mail.Intake;
using Microsoft.Extensions.Options;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Compliance.Tests.Mail.Intake;

/// <summary>The corpus of Mail/Intake/Corpus: its messages, their expected outcomes (expected.yaml) and intake's actual decisions.</summary>
public static class IntakeCorpus
{
    public const string OwnAddress = "mpati@research.example.org";
    public const string MessageIdDomain = "research.example.org";

    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Mail", "Intake", "Corpus");

    private static readonly Lazy<IReadOnlyDictionary<string, Expected>> Manifest = new(() =>
        new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
            .Deserialize<Dictionary<string, Expected>>(File.ReadAllText(Path.Combine(Folder, "expected.yaml"))));

    public static IReadOnlyDictionary<string, Expected> Entries => Manifest.Value;

    public static InboundMessageReader Reader(long maxBytes = IntakeOptions.DefaultMaxMessageBytes) =>
        new(Options.Create(new IntakeOptions { MaxMessageBytes = maxBytes }));

    public static byte[] Raw(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    public static InboundReadResult Read(string file) => Reader().Read(Raw(file));

    public static InboundMessage Message(string file) => Read(file).Message ?? throw new InvalidOperationException($"{file} did not parse");

    public static IntakeDecision Decide(string file) => IntakeDecisions.Decide(Read(file), [OwnAddress], MessageIdDomain, RequestClassifier.Default);

    /// <summary>An entry of expected.yaml.</summary>
    public sealed class Expected
    {
        public string Outcome { get; set; } = string.Empty;

        public string? Reason { get; set; }

        public List<string>? Types { get; set; }

        public string? RequestId { get; set; }

        public string? MessageKey { get; set; }

        public string? Code { get; set; }
    }
}
