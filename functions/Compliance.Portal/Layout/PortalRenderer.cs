using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace Compliance.Portal.Layout;

/// <summary>Renders a page component to HTML on the server: every value is encoded by the renderer, no script is needed.</summary>
public sealed class PortalRenderer(IServiceProvider services, ILoggerFactory loggerFactory)
{
    /// <summary>The HTML of <typeparamref name="TPage"/> with <paramref name="parameters"/> (property name → value).</summary>
    public async Task<string> RenderAsync<TPage>(IDictionary<string, object?> parameters)
        where TPage : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }
}
