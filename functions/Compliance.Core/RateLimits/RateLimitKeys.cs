using System.Net;
using System.Net.Sockets;
using Compliance.Studies;

namespace Compliance.RateLimits;

/// <summary>
/// The keys rules count by, in one form whichever route or page asks: a client address (IPv6 by its /64 prefix, which is
/// what one household or server is usually given) or an email address normalised as participants are matched by it. The
/// limiter stores only a keyed hash of a key (<see cref="RateLimitKeyHasher"/>), never the key.
/// </summary>
public static class RateLimitKeys
{
    /// <summary>The key of a client address; one key for every caller whose address is not known.</summary>
    public static string ForClientAddress(IPAddress? address)
    {
        if (address is null)
        {
            return "address:unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // The interface half of an IPv6 address is the caller's to choose; the /64 prefix is what the network gives them.
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return $"address:{new IPAddress(bytes)}/64";
        }

        return $"address:{address}";
    }

    /// <summary>The key of an email address, normalised as <see cref="StudyStore.NormaliseEmail"/> matches participants by it.</summary>
    public static string ForEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return $"email:{StudyStore.NormaliseEmail(email)}";
    }
}
