using System.Security.Claims;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace App.Web.Opml;

/// <summary>
/// <c>POST /api/opml</c>: the import of the <c>/opml</c> page for scripts. The body is the OPML
/// file itself; the answer counts what was added, with the batch to follow when feeds new to the
/// install are fetched.
/// </summary>
public static class OpmlImportApi
{
    // Only XML types: a cross-site form can send text/plain, never these, without a CORS preflight.
    private static readonly string[] XmlTypes = ["text/x-opml", "application/xml", "text/xml", "application/octet-stream"];

    public static IEndpointRouteBuilder MapOpmlImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/opml", ImportAsync).WithTags("Feeds");
        return app;
    }

    /// <summary>
    /// 202 with <c>Location: /api/batches/{id}</c> when feeds new to the install are fetched, 200 when
    /// there is nothing to wait for; a broken file, or one over <c>Opml:MaxOutlines</c>, is a 400
    /// that stores nothing.
    /// </summary>
    public static async Task<Results<Accepted<OpmlImportResult>, Ok<OpmlImportResult>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, ClaimsPrincipal caller, WriteLane lane, JobQueue queue, TimeProvider time,
        IOptions<OpmlOptions> options, CancellationToken ct)
    {
        if (request.ContentType is not { } contentType
            || !XmlTypes.Any(t => contentType.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Problem($"Send the OPML file as the body, with Content-Type {XmlTypes[0]} or application/xml.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not an OPML body");
        }
        IReadOnlyList<OpmlOutline> outlines;
        try
        {
            outlines = await OpmlReader.ReadAsync(request.Body, ct);
            OpmlImport.EnsureWithinCap(outlines, options.Value.MaxOutlines);
        }
        catch (OpmlException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid OPML file");
        }
        var result = await OpmlImport.ImportAsync(lane, queue, time, caller.UserId(), outlines, OpmlImport.BatchName(null), ct);
        return result.BatchId is { } batchId
            ? TypedResults.Accepted($"/api/batches/{batchId}", result)
            : TypedResults.Ok(result);
    }
}
