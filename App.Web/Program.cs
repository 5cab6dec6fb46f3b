using App.Data;
using App.Web;
using App.Web.Accounts;
using App.Web.Security;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The Procfile starts the app from the repository root; appsettings.json and wwwroot sit next to the dll.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.ListenOnPortVariable();
// Serves wwwroot from the project when run from build output in any environment; a no-op when published.
builder.WebHost.UseStaticWebAssets();
builder.Services.AddAppDatabase(builder.Configuration);
builder.Services.AddWebApp(builder.Configuration);

var app = builder.Build();
await DatabaseSetup.MigrateAsync(app.Services);
await FirstAdministrator.EnsureAsync(app.Services);
app.UseReverseProxyHeaders();
app.UseSecurityHeaders();
app.UseErrorResponses();
app.UseCrossSiteApiGuard();
app.UseAccounts();
app.MapWebApp();
await app.RunAsync();
