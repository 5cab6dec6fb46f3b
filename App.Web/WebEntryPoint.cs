namespace App.Web;

/// <summary>
/// Names this assembly for <c>WebApplicationFactory&lt;T&gt;</c>. The test project also references
/// App.Worker, whose top-level <c>Program</c> would make the name <c>Program</c> ambiguous.
/// </summary>
public sealed class WebEntryPoint;
