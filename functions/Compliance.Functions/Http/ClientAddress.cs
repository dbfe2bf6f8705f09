using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Compliance.Functions.Http;

/// <summary>
/// The address of the client that sent a request, for rate limits. Unless <see cref="HttpOptions.ClientAddressHeader"/>
/// names a header, it is the connection's address (the self-host, reached directly). Behind a proxy that appends the
/// address it was reached from to that header (App Service's front end and <c>X-Forwarded-For</c>), it is the header's
/// last entry: the one the nearest proxy wrote. Entries to its left are the caller's to invent, so they are never used.
/// </summary>
public static class ClientAddress
{
    /// <summary>The client address of <paramref name="request"/>, or null when it is not known.</summary>
    public static IPAddress? Of(HttpRequest request, string? header)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.IsNullOrWhiteSpace(header) && LastEntry(request.Headers[header]) is { } forwarded)
        {
            return forwarded;
        }

        return request.HttpContext.Connection.RemoteIpAddress;
    }

    /// <summary>
    /// The last entry of a comma-separated list of addresses (over every line of the header), as an address; null when there
    /// is none or it is not an address. An entry may carry a port: <c>203.0.113.7:51234</c>, <c>[2001:db8::1]:443</c>.
    /// </summary>
    public static IPAddress? LastEntry(StringValues values)
    {
        for (var line = values.Count - 1; line >= 0; line--)
        {
            var entries = (values[line] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (entries.Length > 0)
            {
                return Parse(entries[^1]);
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="address"/> could be a caller on the internet: not loopback, unspecified, private (RFC 1918, IPv6
    /// unique local), link-local or shared (100.64.0.0/10). Behind App Service every caller has such an address; one that
    /// has not is a proxy's own, and counting by it would put every caller in one count.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64));
        }

        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal);
    }

    /// <summary>An address with or without a port (IPv6 in brackets when it has one); null when it is not one.</summary>
    public static IPAddress? Parse(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // IPEndPoint splits a port off only after a bracketed IPv6 address or an address with a single colon, so a bare IPv6
        // address is never cut short.
        return IPEndPoint.TryParse(entry.Trim(), out var endpoint) ? endpoint.Address : null;
    }
}
