using System.Globalization;
using System.Net.Mail;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Compliance.Policies;

/// <summary>One thing wrong with a policy file: where (a dotted path such as <c>withdrawal.cutOff</c>) and what.</summary>
public sealed record PolicyError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>A policy file that failed validation; the message lists every error with its field.</summary>
public sealed class PolicyValidationException(string source, IReadOnlyList<PolicyError> errors)
    : Exception($"The policy {source} is not valid:\n  " + string.Join("\n  ", errors))
{
    public string PolicySource { get; } = source;

    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}

/// <summary>
/// Reads a policy from YAML (or JSON, which is YAML too) and validates every field, collecting all errors with their paths
/// rather than stopping at the first, so a DPO can fix a file in one go.
/// </summary>
public static class PolicyReader
{
    /// <summary>Reads and validates; throws <see cref="PolicyValidationException"/> naming every bad field.</summary>
    public static StudyPolicy Read(string text, string source)
    {
        var (policy, errors) = TryRead(text);
        return policy ?? throw new PolicyValidationException(source, errors);
    }

    /// <summary>Reads and validates; the policy, or null and every error.</summary>
    public static (StudyPolicy? Policy, IReadOnlyList<PolicyError> Errors) TryRead(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                return (null, [new PolicyError("(file)", "must be one YAML or JSON document whose top level is a mapping of fields")]);
            }

            root = mapping;
        }
        catch (YamlException ex)
        {
            return (null, [new PolicyError("(file)", $"is not valid YAML or JSON at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}")]);
        }

        var reader = new Reader();
        var policy = reader.ReadPolicy(root);
        return reader.Errors.Count == 0 ? (policy, []) : (null, reader.Errors);
    }

    private sealed class Reader
    {
        public List<PolicyError> Errors { get; } = [];

        public StudyPolicy? ReadPolicy(YamlMappingNode root)
        {
            var o = new Obj(this, root, path: null, [
                "policyVersion", "notice", "study", "team", "controller", "processor", "researchMailbox", "dpo", "ico", "access", "withdrawal",
                "retention", "suppliers", "verification", "deadlines", "history", "redactionList",
            ]);
            var policyVersion = o.Text("policyVersion");
            var notice = o.Child("notice", ["title", "version"], n => new NoticeInfo(n.Text("title")!, n.Text("version")!));
            var study = o.Child("study", ["name", "purpose"], n => new StudyInfo(n.Line("name")!, n.Text("purpose")!), "the study's name and purpose in plain words, as participants read them");
            var team = o.Child("team", ["name"], n => new TeamInfo(n.Line("name")!), "the name of the research team that signs participants' emails");
            var controller = o.Child("controller", ["name", "email"], n => new Organisation(n.Text("name")!, n.Email("email", required: false)));
            var processor = o.Child("processor", ["name", "email"], n => new Organisation(n.Text("name")!, n.Email("email", required: false)));
            var mailbox = o.Email("researchMailbox", required: true);
            var dpo = o.Child("dpo", ["name", "organisation", "address", "email"], n => new DpoContact(n.Text("name")!, n.Text("organisation")!, n.Text("address")!, n.Email("email", true)!));
            var ico = o.Child("ico", ["name", "address", "helpline", "website", "liveChat"], n =>
                new IcoContact(n.Text("name")!, n.Text("address")!, n.Text("helpline")!, n.Url("website", true)!, n.Url("liveChat", false)));
            var access = o.Child("access", ["transcriptAvailableAfterSession", "exportLinkValidFor"], n =>
            {
                var link = n.Period("exportLinkValidFor", min: 1);

                // The link is a user-delegation SAS in Azure, which cannot be valid longer than its key (Access.ExportLinks).
                if (link.Count > 0 && (link.Unit == PeriodUnit.Months || link.ToTimeSpan() > Access.ExportLinks.MaxUserDelegationValidity))
                {
                    n.Error("exportLinkValidFor", $"must be at most {Access.ExportLinks.MaxUserDelegationValidity.TotalDays} days, the longest Azure Storage lets a link signed by the app's identity work (got '{link}')");
                }

                return new AccessPolicy(n.Period("transcriptAvailableAfterSession"), link);
            });
            var withdrawal = o.Child("withdrawal", ["cutOff", "cutOffRule"], n =>
            {
                var rule = n.Text("cutOffRule");
                if (rule is not null && rule != WithdrawalPolicy.Before)
                {
                    n.Error("cutOffRule", $"must be '{WithdrawalPolicy.Before}' (the notice's \"only possible before\")");
                }

                return new WithdrawalPolicy(n.Date("cutOff"), rule ?? WithdrawalPolicy.Before);
            });
            var retention = o.Child("retention", ["deleteAfterPublication", "publicationPromisedWithin", "warnBefore", "promiseAlertRepeat"], n =>
                new RetentionPolicy(n.Period("deleteAfterPublication"), n.Period("publicationPromisedWithin", min: 1), n.Period("warnBefore", min: 1), n.Period("promiseAlertRepeat", min: 1)));
            var suppliers = o.Child("suppliers", ["contractTerm", "warnBefore", "confirmDeletionWithin"], n =>
                new SupplierPolicy(n.Period("contractTerm", min: 1), n.Period("warnBefore", min: 1), n.OptionalPeriod("confirmDeletionWithin", SupplierPolicy.DefaultConfirmDeletionWithin, min: 1)));
            var verification = o.Child("verification", ["codeValidFor", "reminderAfter", "maxAttempts", "closeUnverifiedAfter"], n =>
                new VerificationPolicy(n.Period("codeValidFor", min: 1), n.Period("reminderAfter", min: 1), n.Integer("maxAttempts", 1, 100), n.Period("closeUnverifiedAfter", min: 1)));
            var deadlines = o.Child("deadlines", ["remindBefore", "escalateEvery"], n =>
                new DeadlinePolicy(n.Periods("remindBefore"), n.Period("escalateEvery", min: 1)));
            var history = o.Child("history", ["purgeCompletedAfter"], n => new HistoryPolicy(n.Period("purgeCompletedAfter", min: 1)));
            var redaction = o.TextList("redactionList", required: false);

            if (Errors.Count > 0)
            {
                return null;
            }

            return new StudyPolicy
            {
                PolicyVersion = policyVersion!,
                Notice = notice!,
                Study = study!,
                Team = team!,
                Controller = controller!,
                Processor = processor!,
                ResearchMailbox = mailbox!,
                Dpo = dpo!,
                Ico = ico!,
                Access = access!,
                Withdrawal = withdrawal!,
                Retention = retention!,
                Suppliers = suppliers!,
                Verification = verification!,
                Deadlines = deadlines!,
                History = history!,
                RedactionList = redaction,
            };
        }
    }

    /// <summary>A mapping being read, with the path that names its fields in errors.</summary>
    private sealed class Obj
    {
        private readonly Reader reader;
        private readonly YamlMappingNode node;
        private readonly string? path;

        public Obj(Reader reader, YamlMappingNode node, string? path, string[] known)
        {
            this.reader = reader;
            this.node = node;
            this.path = path;
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "?";
                if (!known.Contains(name, StringComparer.Ordinal))
                {
                    Error(name, $"is not a policy field here (known: {string.Join(", ", known)})");
                }
            }
        }

        public void Error(string field, string message) => reader.Errors.Add(new PolicyError(PathOf(field), message));

        /// <summary>A required mapping; <paramref name="what"/>, when given, says in the error what a missing one is for.</summary>
        public T? Child<T>(string field, string[] known, Func<Obj, T> read, string? what = null)
            where T : class
        {
            var value = Get(field);
            if (value is null)
            {
                Error(field, what is null ? "is required" : $"is required: {what}");
                return null;
            }

            if (value is not YamlMappingNode mapping)
            {
                Error(field, "must be a mapping of fields");
                return null;
            }

            var before = reader.Errors.Count;
            var child = new Obj(reader, mapping, PathOf(field), known);
            var result = read(child);
            return reader.Errors.Count == before ? result : null;
        }

        public string? Text(string field, bool required = true)
        {
            var value = Get(field);
            if (value is null || (value is YamlScalarNode { Value: null or "" or "~" } && value.Tag.IsEmpty))
            {
                if (required)
                {
                    Error(field, "is required");
                }

                return null;
            }

            if (value is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                Error(field, "must be text");
                return null;
            }

            return scalar.Value.Trim();
        }

        /// <summary>Text on one line, such as a name shown in an email header.</summary>
        public string? Line(string field)
        {
            var text = Text(field);
            if (text is not null && text.Any(char.IsControl))
            {
                Error(field, "must be one line of text");
                return null;
            }

            return text;
        }

        public string? Email(string field, bool required)
        {
            var text = Text(field, required);
            if (text is null)
            {
                return null;
            }

            if (!MailAddress.TryCreate(text, out var address) || address.Address != text || !address.Host.Contains('.', StringComparison.Ordinal))
            {
                Error(field, $"must be an email address (got '{text}')");
                return null;
            }

            return text;
        }

        public string? Url(string field, bool required)
        {
            var text = Text(field, required);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                Error(field, $"must be an https:// address (got '{text}')");
                return null;
            }

            return text;
        }

        /// <summary>A period that may be left out, taking <paramref name="fallback"/> then.</summary>
        public Period OptionalPeriod(string field, Period fallback, int min = 0) => Get(field) is null ? fallback : Period(field, min);

        public Period Period(string field, int min = 0)
        {
            var text = Text(field);
            if (text is null)
            {
                return default;
            }

            if (!Policies.Period.TryParse(text, out var period))
            {
                Error(field, $"must be a period such as '10 days', '2 weeks' or '3 months' (got '{text}')");
                return default;
            }

            if (period.Count < min)
            {
                Error(field, $"must be at least {min} (got '{text}')");
            }

            return period;
        }

        public List<Period> Periods(string field)
        {
            var value = Get(field);
            if (value is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            {
                Error(field, "must be a list of one or more periods, such as [7 days, 2 days]");
                return [];
            }

            var periods = new List<Period>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var text = (sequence.Children[i] as YamlScalarNode)?.Value;
                if (!Policies.Period.TryParse(text, out var period) || period.Count < 1)
                {
                    Error($"{field}[{i}]", $"must be a period of at least 1, such as '7 days' (got '{text}')");
                    continue;
                }

                periods.Add(period);
            }

            return periods;
        }

        public List<string> TextList(string field, bool required)
        {
            var value = Get(field);
            if (value is null)
            {
                if (required)
                {
                    Error(field, "is required");
                }

                return [];
            }

            if (value is not YamlSequenceNode sequence)
            {
                Error(field, "must be a list");
                return [];
            }

            var items = new List<string>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (sequence.Children[i] is YamlScalarNode { Value: { Length: > 0 } text } && !string.IsNullOrWhiteSpace(text))
                {
                    items.Add(text.Trim());
                }
                else
                {
                    Error($"{field}[{i}]", "must be text");
                }
            }

            return items;
        }

        public DateOnly Date(string field)
        {
            var text = Text(field);
            if (text is null)
            {
                return default;
            }

            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                Error(field, $"must be a date written yyyy-mm-dd (got '{text}')");
            }

            return date;
        }

        public int Integer(string field, int min, int max)
        {
            var text = Text(field);
            if (text is null)
            {
                return 0;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Error(field, $"must be a whole number from {min} to {max} (got '{text}')");
            }

            return value;
        }

        private YamlNode? Get(string field) =>
            node.Children.TryGetValue(new YamlScalarNode(field), out var value) ? value : null;

        private string PathOf(string field) => path is null ? field : $"{path}.{field}";
    }
}
