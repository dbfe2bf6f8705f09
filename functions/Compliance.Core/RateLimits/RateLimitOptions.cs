using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Compliance.RateLimits;

/// <summary>
/// The rate limits of the anonymous routes (configuration section <c>RateLimits</c>; docs/security.md). The defaults are
/// for a real deployment; each rule's <c>Limit</c> and <c>Window</c> can be changed, and a rule with <c>Enabled=false</c>
/// or <c>Limit=0</c> is off.
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string SectionName = "RateLimits";

    /// <summary>False switches every rule off (the tests' shared host and the benchmarks, which post from one address).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests submitted from one client address (<c>POST /api/requests</c>, the portal's request form).</summary>
    public RateLimitRuleOptions Submissions { get; set; } = new() { Limit = 10, Window = TimeSpan.FromMinutes(10) };

    /// <summary>Requests submitted for one email address, whichever client sends them: each one emails that address.</summary>
    public RateLimitRuleOptions SubmissionsPerEmail { get; set; } = new() { Limit = 3, Window = TimeSpan.FromHours(1) };

    /// <summary>Verification codes entered from one client address (<c>POST /api/requests/{id}/verify</c>, the portal's code page).</summary>
    public RateLimitRuleOptions CodeAttempts { get; set; } = new() { Limit = 30, Window = TimeSpan.FromMinutes(10) };

    /// <summary>How long one check may wait for storage; after that the request is let through (docs/security.md, failure mode).</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, rule) in new[] { (nameof(Submissions), Submissions), (nameof(SubmissionsPerEmail), SubmissionsPerEmail), (nameof(CodeAttempts), CodeAttempts) })
        {
            if (rule is null)
            {
                yield return new ValidationResult($"{SectionName}:{name} is not configured.");
                continue;
            }

            if (rule.Limit is < 0 or > RateLimitRuleOptions.MaxLimit)
            {
                yield return new ValidationResult($"{SectionName}:{name}:Limit must be from 0 (off) to {RateLimitRuleOptions.MaxLimit}.");
            }

            if (rule.Window < RateLimitRuleOptions.MinWindow || rule.Window > RateLimitRuleOptions.MaxWindow)
            {
                yield return new ValidationResult($"{SectionName}:{name}:Window must be from {RateLimitRuleOptions.MinWindow} to {RateLimitRuleOptions.MaxWindow} (hh:mm:ss).");
            }
        }

        if (StorageTimeout < TimeSpan.FromMilliseconds(100) || StorageTimeout > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(StorageTimeout)} must be from 00:00:00.1 to 00:01:00.");
        }
    }
}

/// <summary>One rule's numbers, as configured (<c>RateLimits:&lt;rule&gt;:Enabled</c>, <c>Limit</c>, <c>Window</c>).</summary>
public sealed class RateLimitRuleOptions
{
    public const int MaxLimit = 1_000_000;

    public static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>False switches this rule off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most requests let through per window and key; 0 switches the rule off.</summary>
    public int Limit { get; set; }

    /// <summary>How long a window lasts from the first request counted in it.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>The rules in force, named as their rows are stored; a rule switched off (or all of them) has a limit of 0.</summary>
public sealed class RateLimitRules(IOptions<RateLimitOptions> options)
{
    /// <summary>Submissions per client address.</summary>
    public RateLimitRule Submissions => Rule("submissions", options.Value.Submissions);

    /// <summary>Submissions per target email address.</summary>
    public RateLimitRule SubmissionsPerEmail => Rule("submissions-per-email", options.Value.SubmissionsPerEmail);

    /// <summary>Verification code attempts per client address.</summary>
    public RateLimitRule CodeAttempts => Rule("code-attempts", options.Value.CodeAttempts);

    private RateLimitRule Rule(string name, RateLimitRuleOptions rule) =>
        new(name, options.Value.Enabled && rule.Enabled ? rule.Limit : 0, rule.Window);
}
