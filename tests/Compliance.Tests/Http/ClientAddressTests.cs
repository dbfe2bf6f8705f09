using System.ComponentModel.DataAnnotations;
using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Functions.Http;
using Compliance.RateLimits;
using Compliance.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Compliance.Tests.Http;

/// <summary>The client address rate limits count by, the keys they store it under, and the rules as configured (pure: no storage, no host).</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7:51234", "203.0.113.7")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData(" 198.51.100.1 ", "198.51.100.1")]
    public void An_entry_is_read_with_or_without_a_port(string entry, string expected)
    {
        ClientAddress.Parse(entry).ShouldBe(IPAddress.Parse(expected));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("")]
    [InlineData("203.0.113.7:99999")]
    [InlineData("_hidden")]
    public void What_is_not_an_address_is_none(string entry)
    {
        ClientAddress.Parse(entry).ShouldBeNull();
    }

    [Fact]
    public void The_last_entry_is_the_one_the_nearest_proxy_wrote_over_every_line_of_the_header()
    {
        ClientAddress.LastEntry(new StringValues("1.1.1.1, 2.2.2.2, 203.0.113.7:443")).ShouldBe(IPAddress.Parse("203.0.113.7"));
        ClientAddress.LastEntry(new StringValues(["1.1.1.1", "2.2.2.2,203.0.113.8"])).ShouldBe(IPAddress.Parse("203.0.113.8"));
        ClientAddress.LastEntry(new StringValues("203.0.113.9, ")).ShouldBe(IPAddress.Parse("203.0.113.9"));
        ClientAddress.LastEntry(StringValues.Empty).ShouldBeNull();
    }

    [Fact]
    public void Without_a_configured_header_the_connection_address_counts_and_the_header_is_ignored()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.10");
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.7";

        ClientAddress.Of(context.Request, header: null).ShouldBe(IPAddress.Parse("192.0.2.10"));
        ClientAddress.Of(context.Request, "X-Forwarded-For").ShouldBe(IPAddress.Parse("203.0.113.7"));
        context.Request.Headers["X-Forwarded-For"] = "garbage";
        ClientAddress.Of(context.Request, "X-Forwarded-For").ShouldBe(IPAddress.Parse("192.0.2.10"), "an unreadable header falls back to the connection");
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::ffff:203.0.113.7", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.129.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void A_proxys_own_address_is_not_public(string address, bool isPublic)
    {
        ClientAddress.IsPublic(IPAddress.Parse(address)).ShouldBe(isPublic);
    }

    [Fact]
    public async Task Counting_by_an_address_that_is_not_public_from_the_header_is_warned_of_once_without_the_address()
    {
        var capture = new LogCapture();
        using var logging = LoggerFactory.Create(b => b.AddProvider(capture));
        var options = Options.Create(new RateLimitOptions { Enabled = false });
        var limiter = new RateLimiter(new TableServiceClient("UseDevelopmentStorage=true"), new RateLimitKeyHasher(new Compliance.Keys.ServiceKeys(new BlobServiceClient("UseDevelopmentStorage=true"))), TimeProvider.System, options, logging.CreateLogger<RateLimiter>());
        var limits = new ClientRateLimits(limiter, new RateLimitRules(options), Options.Create(new HttpOptions { ClientAddressHeader = "X-Forwarded-For" }), logging.CreateLogger<ClientRateLimits>());

        foreach (var forwarded in new[] { "203.0.113.7", "10.0.0.4", "10.0.0.5" })
        {
            var context = new DefaultHttpContext();
            context.Request.Headers["X-Forwarded-For"] = forwarded;
            (await limits.CheckCodeAttemptAsync(context.Request, TestContext.Current.CancellationToken)).Allowed.ShouldBeTrue();
        }

        var warnings = capture.Of(typeof(ClientRateLimits).FullName!);
        warnings.Count.ShouldBe(1);
        warnings[0].Level.ShouldBe(LogLevel.Warning);
        warnings[0].Message.ShouldContain("X-Forwarded-For");
        warnings[0].Message.ShouldNotContain("10.0.0");
    }

    [Fact]
    public void IPv6_addresses_count_by_their_64_prefix_and_mapped_IPv4_as_IPv4()
    {
        RateLimitKeys.ForClientAddress(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).ShouldBe("address:2001:db8:1:2::/64");
        RateLimitKeys.ForClientAddress(IPAddress.Parse("2001:db8:1:2::1")).ShouldBe(RateLimitKeys.ForClientAddress(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        RateLimitKeys.ForClientAddress(IPAddress.Parse("2001:db8:1:3::1")).ShouldNotBe(RateLimitKeys.ForClientAddress(IPAddress.Parse("2001:db8:1:2::1")));
        RateLimitKeys.ForClientAddress(IPAddress.Parse("::ffff:203.0.113.7")).ShouldBe("address:203.0.113.7");
        RateLimitKeys.ForClientAddress(null).ShouldBe("address:unknown");
    }

    [Fact]
    public void Email_keys_are_normalised_as_participants_are_matched()
    {
        RateLimitKeys.ForEmail(" Alex.Example@Example.ORG ").ShouldBe(RateLimitKeys.ForEmail("alex.example@example.org"));
    }

    [Fact]
    public void A_rule_switched_off_or_all_rules_switched_off_has_no_limit()
    {
        var options = new RateLimitOptions();
        options.CodeAttempts.Enabled = false;
        var rules = new RateLimitRules(Options.Create(options));

        rules.Submissions.ShouldBe(new RateLimitRule("submissions", 10, TimeSpan.FromMinutes(10)));
        rules.SubmissionsPerEmail.ShouldBe(new RateLimitRule("submissions-per-email", 3, TimeSpan.FromHours(1)));
        rules.CodeAttempts.IsOff.ShouldBeTrue();
        options.Enabled = false;
        rules.Submissions.IsOff.ShouldBeTrue();
    }

    [Fact]
    public void Bad_numbers_are_named_by_their_setting()
    {
        var options = new RateLimitOptions();
        options.Submissions.Limit = -1;
        options.SubmissionsPerEmail.Window = TimeSpan.Zero;

        var errors = options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        errors.ShouldContain(e => e!.StartsWith("RateLimits:Submissions:Limit", StringComparison.Ordinal));
        errors.ShouldContain(e => e!.StartsWith("RateLimits:SubmissionsPerEmail:Window", StringComparison.Ordinal));
        errors.Count.ShouldBe(2);
    }
}
