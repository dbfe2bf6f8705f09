using System.Net.Http.Json;
using Compliance.Console.Api;
using Compliance.Identity;
using Microsoft.JSInterop;

namespace Compliance.Console.Identity;

/// <summary>
/// Who is signed in to this tab, as the API sees them (<c>GET /api/me</c>). In Azure the App Service Authentication session
/// cookie proves it and the console sends nothing itself; locally, where the self-host trusts the principal header, the
/// console's sign-in page gets a header for a role and a name and keeps it in the tab's session storage (gone when the tab
/// closes), and <see cref="PrincipalHeaderHandler"/> sends it with every call.
/// </summary>
public sealed class SessionState(IJSRuntime js, IServiceProvider services)
{
    private const string StorageKey = "compliance.principal";
    private Task? loading;

    /// <summary>The session as the API last described it; null until loaded.</summary>
    public StaffSession? Current { get; private set; }

    /// <summary>The local principal header, where local sign-in is used.</summary>
    public string? PrincipalHeader { get; private set; }

    public bool SignedIn => Current?.SignedIn == true;

    public bool LocalSignIn => Current?.LocalSignIn == true;

    public string SignInUrl => Current?.SignInUrl ?? "/.auth/login/aad?post_login_redirect_uri=/console/";

    /// <summary>Raised when the session changes (loaded, signed in, signed out, expired).</summary>
    public event Action? Changed;

    /// <summary>Whether the signed-in user has any of <paramref name="roles"/>.</summary>
    public bool IsIn(params string[] roles) => Current is { SignedIn: true } s && s.Roles.Any(roles.Contains);

    /// <summary>Loads the session once per tab (later calls wait for the first).</summary>
    public Task EnsureLoadedAsync() => loading ??= LoadAsync();

    /// <summary>Signs in locally as <paramref name="role"/> called <paramref name="name"/>; the API's problem when it refuses.</summary>
    public async Task<ProblemView?> SignInLocallyAsync(string role, string name)
    {
        using var response = await Http.PostAsJsonAsync("api/me/local-sign-in", new LocalSignInRequest(role, name), ConsoleJson.Default.LocalSignInRequest);
        if (!response.IsSuccessStatusCode)
        {
            return response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? await response.Content.ReadFromJsonAsync(ConsoleJson.Default.ProblemView)
                : ProblemView.Unexpected((int)response.StatusCode);
        }

        var signedIn = (await response.Content.ReadFromJsonAsync(ConsoleJson.Default.LocalSignInResponse))!;
        PrincipalHeader = signedIn.Principal;
        await js.InvokeVoidAsync("sessionStorage.setItem", StorageKey, signedIn.Principal);
        Current = signedIn.Session;
        Changed?.Invoke();
        return null;
    }

    /// <summary>Forgets the local principal; where to go next to finish signing out.</summary>
    public async Task<string> SignOutAsync()
    {
        var signOut = Current?.SignOutUrl ?? "/.auth/logout";
        PrincipalHeader = null;
        await js.InvokeVoidAsync("sessionStorage.removeItem", StorageKey);
        Current = Current is null ? null : Current with { SignedIn = false, Id = null, Name = null, Roles = [] };
        Changed?.Invoke();
        return signOut;
    }

    /// <summary>The API answered 401: the session has ended.</summary>
    public void Expire()
    {
        if (Current is { SignedIn: true })
        {
            Current = Current with { SignedIn = false, Id = null, Name = null, Roles = [] };
            Changed?.Invoke();
        }
    }

    // Not injected directly: the HttpClient's handler itself depends on this session.
    private HttpClient Http => (HttpClient)services.GetService(typeof(HttpClient))!;

    private async Task LoadAsync()
    {
        PrincipalHeader = await js.InvokeAsync<string?>("sessionStorage.getItem", StorageKey);
        try
        {
            Current = await Http.GetFromJsonAsync("api/me", ConsoleJson.Default.StaffSession);
        }
        catch (HttpRequestException)
        {
            Current = null;
        }

        Changed?.Invoke();
    }
}
