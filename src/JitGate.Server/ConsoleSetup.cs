using JitGate.Core.Features.Bindings;
using JitGate.Core.Features.Query;
using JitGate.Server.Auth;
using JitGate.Server.Components;
using MudBlazor.Services;

namespace JitGate.Server;

/// <summary>The web console: Blazor (interactive server) pages with MudBlazor, and the cookie sign-in that serves them.</summary>
internal static class ConsoleSetup
{
    public static IServiceCollection AddJitGateConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices(mud =>
        {
            // Bottom right keeps notices clear of the page's own buttons at the top.
            mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight;
            mud.SnackbarConfiguration.VisibleStateDuration = 3000;
        });
        services.AddScoped<ConsoleSession>();
        services.AddScoped<BrowserTime>();
        services.AddScoped<ReviewCount>();
        services.AddScoped<MyAccess>();
        services.AddScoped<QueryHistory>();
        services.AddScoped<UpdateBinding>();
        return services;
    }

    public static WebApplication MapJitGateConsole(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapConsoleAccount();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
