using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// Reads a whole request body within a limit, whatever Content-Length says (it may be absent with chunked bodies), and turns
/// broken framing (a bad chunk, a body that breaks off or stalls below the server's minimum rate) into a 400 problem rather
/// than letting the server's exception become a 500. The one body reader of the routes that take a whole body.
/// </summary>
public static class BoundedBody
{
    /// <summary>The body, or <paramref name="tooLarge"/> when it is over <paramref name="maxBytes"/>, or a problem when it did not arrive whole.</summary>
    public static async Task<(byte[]? Bytes, IActionResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, Func<IActionResult> tooLarge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tooLarge);
        if (request.ContentLength > maxBytes)
        {
            return (null, tooLarge());
        }

        using var body = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > maxBytes)
                {
                    return (null, tooLarge());
                }

                body.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (null, ApiProblem.BadRequest("upload-incomplete", "The body did not arrive whole.", "Its framing was broken or it broke off; nothing was kept. Send it again."));
        }

        return (body.ToArray(), null);
    }
}
